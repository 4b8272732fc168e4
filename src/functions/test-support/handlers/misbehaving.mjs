// A handler that misbehaves on request, to show that one bad handler harms nothing but its own invocation.
export const handler = async (event) => {
  switch (event.action) {
    case "hang":
      return new Promise(() => {});
    case "exit":
      process.exit(3);
    case "throw-in-timer":
      setTimeout(() => {
        throw new Error("boom from a timer");
      }, 1);
      return new Promise(() => {});
    case "reject-unhandled":
      Promise.reject(new Error("nobody catches this"));
      return new Promise(() => {});
    case "allocate": {
      const hoard = [];
      for (;;) hoard.push(new Array(1_000_000).fill(hoard.length));
    }
    case "throw":
      throw new TypeError("bad input");
    default:
      return { fine: true };
  }
};

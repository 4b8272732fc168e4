// A sleep that an append can cut short: stream readers idle between polls, and wake() (from onAppend or
// a stop) ends the wait at once.
export class Wakeup {
  private wakeCurrent: (() => void) | undefined;

  async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeCurrent = done;
    });
    this.wakeCurrent = undefined;
  }

  wake(): void {
    this.wakeCurrent?.();
  }
}

// A TypeScript Lambda handler: types are stripped by tsx when the worker loads it.
interface GreetingEvent {
  name: string;
}

interface MinimalContext {
  functionName: string;
}

export const main = async (event: GreetingEvent, context: MinimalContext): Promise<{ greeting: string }> => {
  const greeting: string = `hello ${event.name} from ${context.functionName}`;
  return { greeting };
};

// An unmodified ESM Lambda handler: answers with the event, the context and the environment it was given.
export const handler = async (event, context) => ({
  event,
  context: {
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn,
    memoryLimitInMB: context.memoryLimitInMB,
    awsRequestId: context.awsRequestId,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
    remainingTimeInMillis: context.getRemainingTimeInMillis(),
  },
  env: {
    AWS_REGION: process.env.AWS_REGION,
    AWS_LAMBDA_FUNCTION_NAME: process.env.AWS_LAMBDA_FUNCTION_NAME,
    GREETING: process.env.GREETING,
    SHOPSTREAM_SECRET: process.env.SHOPSTREAM_SECRET,
  },
});

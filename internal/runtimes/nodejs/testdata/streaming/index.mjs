export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  responseStream.setContentType('text/plain');
  responseStream.write('hello ');
  await new Promise((r) => setTimeout(r, 5));
  responseStream.write(context.awsRequestId);
  responseStream.end();
});

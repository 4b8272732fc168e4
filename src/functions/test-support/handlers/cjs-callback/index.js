// An unmodified CommonJS Lambda handler in callback style, as in older AWS examples.
'use strict';

exports.handler = function (event, context, callback) {
  setTimeout(function () {
    if (event.fail) return callback(new Error('asked to fail'));
    callback(null, { echoed: event, requestId: context.awsRequestId, style: 'callback' });
  }, 5);
};

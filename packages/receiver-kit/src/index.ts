/**
 * `@touchpoint/receiver-kit`: everything needed to build an endpoint for Touchpoint's custom
 * channel. See README.md for the protocol and examples.
 */
export {
  buildResponse,
  failListFrom,
  failureResponse,
  type BatchResults,
  type FailListItem,
  type ReceiverResponseBody,
} from './build-response.ts';
export {
  fastifyReceiver,
  type FastifyInstanceLike,
  type FastifyReceiverOptions,
  type FastifyReplyLike,
  type FastifyRequestLike,
} from './fastify-receiver.ts';
export {
  handleReceiverRequest,
  type BatchContext,
  type ReceiverAnswer,
  type ReceiverOptions,
} from './handle-request.ts';
export { headerValue, type CustomChannelMessage, type RequestHeaders } from './message.ts';
export { expressReceiver } from './express-receiver.ts';
export { answerNodeRequest, nodeReceiver, sendAnswer } from './node-receiver.ts';
export {
  decodeBody,
  defaultMaxBodyBytes,
  parseMessages,
  parseRequest,
  type RequestProblem,
} from './parse-request.ts';
export { BodyTooLargeError, readBody } from './read-body.ts';
export { verifySignature } from './verify-signature.ts';
export { verifyWebhookV2, type VerifyV2Options } from './verify-webhook-v2.ts';
export {
  segmentReceipt,
  thinkingDataReceipt,
  type ReceiptSource,
  type ReceiptUser,
  type SegmentTrack,
  type ThinkingDataUser,
} from './receipt-event.ts';

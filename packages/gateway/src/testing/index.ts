// @scgi-node/gateway/testing: supertest over the real HTTP -> SCGI path.
export {
  type GatewayTestAgent,
  request,
  type TestableApp,
  type TestRequestOptions,
} from './request.js';

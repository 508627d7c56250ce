/** SPDY/3.1, the server side: what kubectl ≤ 1.29 exec and every kubectl port-forward speak. */
export { FLAG_FIN, RstStatus } from './frames.js';
export { type SpdyHeaders } from './headers.js';
export { SpdySession, type SpdySessionOptions } from './session.js';
export { SpdyStream } from './stream.js';

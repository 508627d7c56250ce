/**
 * The stream protocols of exec, attach and port-forward, shared by the API server (which speaks
 * them with kubectl) and the node agent (which the API server reaches with them), as upstream's
 * k8s.io/apimachinery/pkg/util/remotecommand and httpstream/wsstream define them.
 *
 * Channel protocol (WebSocket subprotocols v4/v5.channel.k8s.io): every binary message starts with
 * its channel byte. v5 adds CLOSE: `[255, channel]` half-closes that channel (stdin EOF).
 */

export const CHANNEL_PROTOCOL_V5 = 'v5.channel.k8s.io';
export const CHANNEL_PROTOCOL_V4 = 'v4.channel.k8s.io';
/** Channel protocols served, most preferred first. v4 and later carry the final Status as JSON. */
export const CHANNEL_PROTOCOLS = [CHANNEL_PROTOCOL_V5, CHANNEL_PROTOCOL_V4];

/** The channels of exec and attach. */
export const Channel = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  /** Server to client: the Status that ends the session. */
  error: 3,
  /** Client to server: terminal size as JSON {"Width":W,"Height":H}. */
  resize: 4,
  /** v5: `[255, channel]` closes that channel. */
  close: 255,
} as const;

/** Status.reason and cause of a command that exited non-zero; the cause's message is the exit code. */
export const NON_ZERO_EXIT_CODE_REASON = 'NonZeroExitCode';
export const EXIT_CODE_CAUSE = 'ExitCode';

/** Port-forward over SPDY: the X-Stream-Protocol-Version kubectl offers. */
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** Port-forward with SPDY tunnelled in a WebSocket (kubectl 1.31+): the WebSocket subprotocol. */
export const PORT_FORWARD_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

/**
 * Port-forward over a WebSocket channel protocol (the agent's, as upstream's kubelet serves it):
 * the query names the ports (`?port=80&port=8080`); port i uses channel 2i for data and 2i+1 for
 * errors (text); the server's first message on each channel starts with the port as 16 bits
 * little-endian. With v5 the client half-closes a port's connection with `[255, 2i]`.
 */
export const portDataChannel = (index: number): number => 2 * index;
export const portErrorChannel = (index: number): number => 2 * index + 1;

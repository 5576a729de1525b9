import { type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What happens to a request body the app answered without reading (a 413 decided on
 * Content-Length, a 401, a 404...). Keeping the connection alive would mean reading an
 * unbounded body to find where the next request starts; closing at once makes the kernel reset
 * the connection while the client is still sending, and the reset destroys the answer in the
 * client's receive buffer ("other side closed"). So, as nginx does: the answer says
 * `Connection: close`, the server half-closes after it, reads and discards what is left of the
 * body, bounded in bytes and time, and only then closes. docs/api.md, "Bodies the server did not read".
 */
export interface LingerBounds {
  /** Body bytes discarded after the answer before the connection is cut. */
  maxBytes: number;
  /** How long the client gets to finish sending (or close) after the answer. */
  maxMs: number;
}

export const defaultLingerBounds: LingerBounds = { maxBytes: 4 * 1024 * 1024, maxMs: 5_000 };

type HeaderArgument = OutgoingHttpHeaders | OutgoingHttpHeader[];

/** Node's ServerResponse, with a lingering close whenever it answers before the request body is in. */
export function lingeringResponse(bounds: LingerBounds = defaultLingerBounds) {
  return class LingeringResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
    override writeHead(statusCode: number, statusMessage?: string, headers?: HeaderArgument): this;
    override writeHead(statusCode: number, headers?: HeaderArgument): this;
    override writeHead(statusCode: number, reasonOrHeaders?: string | HeaderArgument, headers?: HeaderArgument): this {
      // Every answer passes here (Node's implicit headers too), before anything is written. A request
      // that declared no body (most reads) has nothing to discard and keeps its connection as it is.
      if (declaresBody(this.req)) {
        if (!this.req.complete) closeAfterAnswer(this, bounds);
        else if (!this.req.readableEnded) discardAfterAnswer(this);
      }
      return typeof reasonOrHeaders === 'string'
        ? super.writeHead(statusCode, reasonOrHeaders, headers)
        : super.writeHead(statusCode, reasonOrHeaders);
    }
  };
}

/**
 * Whether the request carries a body. One with neither Content-Length nor Transfer-Encoding has none,
 * even in the instant before Node marks it complete.
 */
function declaresBody(req: IncomingMessage): boolean {
  const declared = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (declared !== undefined && declared !== '0');
}

/** Marks the answer as the connection's last, and makes its close a lingering one. */
function closeAfterAnswer(res: ServerResponse, bounds: LingerBounds): void {
  // Merged into the headers writeHead is given; Node then ends the socket after this answer.
  res.setHeader('Connection', 'close');
  const { socket, req } = res;
  if (socket === null) return;
  // Node ends a last answer's connection with destroySoon(), which closes the descriptor as soon
  // as the answer is written: the lingering close takes its place on this connection only.
  socket.destroySoon = () => linger(socket, req, bounds);
}

/**
 * A body all in but not read stays on a kept-alive connection: it is thrown away after the
 * answer, so a reader the app left paused cannot hold it (and @hono/node-server, finding it
 * unfinished, would cut the connection under the client's next request).
 */
function discardAfterAnswer(res: ServerResponse): void {
  const { req } = res;
  res.once('finish', () => discardBody(req, () => {}));
}

/** Half-closes, discards the rest of the body, and closes once it is in or a bound is reached. */
function linger(socket: Socket, req: IncomingMessage, { maxBytes, maxMs }: LingerBounds): void {
  if (socket.destroyed) return;
  // Later calls (@hono/node-server's own clean-up calls destroySoon too) find the linger under way.
  socket.destroySoon = () => {};
  // The FIN after the answer: the client reads a complete response, then sees the close.
  if (socket.writable) socket.end();
  // Past a bound the client is not one that finishes: the connection is cut, reset or not.
  const cut = () => socket.destroy();
  const timer = setTimeout(cut, maxMs);
  socket.once('close', () => clearTimeout(timer));
  let discarded = 0;
  discardBody(req, (bytes) => {
    discarded += bytes;
    if (discarded > maxBytes) cut();
  });
  // Once the body is in, nothing more is due: closing now leaves no unread data, so no reset.
  if (req.readableEnded) closeWhenWritten(socket);
  else req.once('end', () => closeWhenWritten(socket));
}

/** Discards what is left of the body, however the app had started to read it. */
function discardBody(req: IncomingMessage, onBytes: (bytes: number) => void): void {
  // A reader the app left (Readable.toWeb) pauses the stream whenever its queue is full, so it
  // would never end: its listener goes, and the bytes flow to nowhere.
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => onBytes(chunk.length));
  req.resume();
}

/** Closes without cutting off the answer if it is still being written. */
function closeWhenWritten(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writableFinished) socket.destroy();
  else socket.once('finish', () => socket.destroy());
}

package io.clusterdns.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Splits a TCP stream into queries by their 2-byte length prefix (RFC 1035 4.2.2) and bounds how long one query
 * may take to arrive. The idle timeout restarts on every byte, so a client sending one byte a second (slowloris)
 * would hold a connection for ever; here a query whose first byte has arrived must be complete within
 * {@code deadlineMillis}, or the connection is closed (RFC 7766 6.2.3 leaves the bound to the server; CoreDNS's
 * DNS library reads each TCP message within 2 s). Event loop only.
 */
final class TcpFrameDecoder extends LengthFieldBasedFrameDecoder {
  private final long deadlineMillis;
  /** Closes the connection if the query in progress is not complete by then; null while none is partial. */
  private ScheduledFuture<?> deadline;

  TcpFrameDecoder(int maxFrame, long deadlineMillis) {
    super(maxFrame + 2, 0, 2, 0, 2);
    this.deadlineMillis = deadlineMillis;
  }

  @Override
  protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
    Object frame = super.decode(ctx, in);
    if (frame != null) {
      cancel(); // that query arrived in time; a part of the next one starts its own deadline below
    }
    if (in.isReadable() && deadline == null) {
      arm(ctx);
    }
    return frame;
  }

  private void arm(ChannelHandlerContext ctx) {
    deadline = ctx.executor().schedule(() -> {
      if (!ctx.channel().config().isAutoRead()) {
        // The server stopped reading this connection (in-flight limit or unsent replies, TcpQueryHandler):
        // the rest of the query waits in the kernel because of us, not the client. Wait again.
        arm(ctx);
        return;
      }
      deadline = null;
      ctx.close();
    }, deadlineMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancel();
    super.channelInactive(ctx);
  }

  private void cancel() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }
}

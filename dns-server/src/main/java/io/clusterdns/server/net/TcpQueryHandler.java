package io.clusterdns.server.net;

import io.clusterdns.server.query.LivePipeline;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;

/**
 * Reads length-framed queries on one TCP connection (RFC 7766: several queries per connection, replies in any
 * order) and writes each reply with its 2-byte length prefix. A malformed query gets its error reply and the
 * connection stays open for the queries that follow (behaviours.md 10.4); an idle connection is closed.
 *
 * <p>At most {@link TcpLimits#maxInFlight} queries of the connection wait for their replies; at the limit the
 * socket is not read until one is written ({@code autoRead} off; the {@code FlowControlHandler} before this one
 * holds the frames of the last read meanwhile), so a client pipelining without bound is slowed by TCP flow
 * control and loses nothing (RFC 7766 6.2.1.1, 7; {@link TcpLimits}).
 *
 * <p>Threads: one instance per connection, its event loop only; a reply completed elsewhere (forwarded) is handed
 * to that loop before it is counted and written.
 */
final class TcpQueryHandler extends ChannelInboundHandlerAdapter {
  private final LivePipeline pipeline;
  private final TcpConnections connections;
  private final int maxInFlight;
  /** The idle timeout signalled by EDNS TCP keepalive, in 100 ms units (RFC 7828). */
  private final int keepalive;
  /** True while {@link #channelRead} runs: replies then leave together at {@link #channelReadComplete}. */
  private boolean reading;
  /** Queries read whose replies are not yet written. */
  private int inFlight;
  /** The client's address, known once the connection is active. */
  private InetSocketAddress client = new InetSocketAddress(0);

  TcpQueryHandler(LivePipeline pipeline, TcpConnections connections) {
    this.pipeline = pipeline;
    this.connections = connections;
    this.maxInFlight = connections.limits().maxInFlight();
    this.keepalive = connections.limits().keepaliveTimeout();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
      client = a;
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    byte[] bytes;
    try {
      bytes = ByteBufUtil.getBytes(frame);
    } finally {
      frame.release();
    }
    inFlight++;
    reading = true;
    boolean replyComing;
    try {
      replyComing = pipeline.handleTcp(bytes, keepalive, client, reply -> {
        if (ctx.executor().inEventLoop()) {
          written(ctx, reply);
        } else {
          try {
            ctx.executor().execute(() -> written(ctx, reply));
          } catch (RejectedExecutionException shuttingDown) {
            // the loop is stopping and the connection with it
          }
        }
      });
    } finally {
      reading = false;
    }
    if (!replyComing) {
      inFlight--; // dropped without a reply (QR=1, shorter than a header): counted by the pipeline
    }
    if (inFlight >= maxInFlight) {
      connections.pausedForInFlight();
    }
    updateAutoRead(ctx);
  }

  /** Writes one reply (event loop). */
  private void written(ChannelHandlerContext ctx, byte[] reply) {
    inFlight--;
    if (ctx.channel().isActive()) {
      ByteBuf out = Unpooled.buffer(reply.length + 2);
      out.writeShort(reply.length);
      out.writeBytes(reply);
      if (reading) {
        ctx.write(out, ctx.voidPromise());
      } else {
        ctx.writeAndFlush(out, ctx.voidPromise());
      }
    }
    if (!reading) {
      updateAutoRead(ctx);
    }
  }

  /**
   * Reads the socket only while the connection is below its in-flight limit and its unsent replies are below the
   * write buffer's high water mark (a client that sends queries without reading the replies must not make the
   * server queue them without bound).
   */
  private void updateAutoRead(ChannelHandlerContext ctx) {
    boolean read = inFlight < maxInFlight && ctx.channel().isWritable();
    if (ctx.channel().config().isAutoRead() != read) {
      if (!read) {
        // The FlowControlHandler swallows the read-complete event while it holds frames: send what is written.
        ctx.flush();
      }
      ctx.channel().config().setAutoRead(read);
      if (read) {
        // Resuming hands over the held frames at once, on this loop, with no read-complete event after them:
        // their replies answered synchronously are only written, so send them now.
        ctx.flush();
      }
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
    updateAutoRead(ctx);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    updateAutoRead(ctx);
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      // Idle means no query in progress and no reply pending (RFC 7766 6.2.3); a reply still to come restarts
      // the timer when it is written.
      if (inFlight == 0) {
        ctx.close();
      }
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Connection reset by the client, or a frame longer than the length prefix allows: this connection only.
    ctx.close();
  }
}

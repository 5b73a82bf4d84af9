package io.clusterdns.server.net;

import io.clusterdns.server.query.LivePipeline;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Reads length-framed queries on one TCP connection (RFC 7766: several queries per connection, replies in any
 * order) and writes each reply with its 2-byte length prefix. A malformed query gets its error reply and the
 * connection stays open for the queries that follow (behaviours.md 10.4); an idle connection is closed.
 * Threads: one instance per connection, its event loop only (forwarded replies arrive via writeAndFlush).
 */
final class TcpQueryHandler extends ChannelInboundHandlerAdapter {
  private final LivePipeline pipeline;
  private boolean reading;
  /** The client's address, known once the connection is active. */
  private java.net.InetSocketAddress client = new java.net.InetSocketAddress(0);

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a) {
      client = a;
    }
    ctx.fireChannelActive();
  }

  TcpQueryHandler(LivePipeline pipeline) {
    this.pipeline = pipeline;
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
    reading = true;
    try {
      pipeline.handle(bytes, true, client, reply -> {
        ByteBuf out = Unpooled.buffer(reply.length + 2);
        out.writeShort(reply.length);
        out.writeBytes(reply);
        if (reading && ctx.executor().inEventLoop()) {
          ctx.write(out, ctx.voidPromise());
        } else if (ctx.channel().isActive()) {
          ctx.writeAndFlush(out, ctx.voidPromise());
        } else {
          out.release();
        }
      });
    } finally {
      reading = false;
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
    // Backpressure: a client that sends queries without reading the replies must not make the server queue
    // them without bound; stop reading its socket until the replies drain (below the low water mark).
    if (!ctx.channel().isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
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

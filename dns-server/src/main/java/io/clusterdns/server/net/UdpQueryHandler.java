package io.clusterdns.server.net;

import io.clusterdns.server.query.LivePipeline;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * Reads UDP queries on one datagram channel and writes their replies. Replies produced while a read batch is
 * being handled are written without a flush and leave together in {@link #channelReadComplete} (one
 * {@code sendmmsg} under epoll); replies that complete later (forwarded) are flushed at once.
 *
 * <p>Threads: one instance per channel, used only on that channel's event loop, except the reply callback of a
 * forwarded query, which goes through {@code writeAndFlush} (Netty hands it to the event loop).
 */
final class UdpQueryHandler extends ChannelInboundHandlerAdapter {
  private final LivePipeline pipeline;
  /** True while {@link #channelRead} runs: replies may then be batched. Event loop only. */
  private boolean reading;

  UdpQueryHandler(LivePipeline pipeline) {
    this.pipeline = pipeline;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof DatagramPacket packet)) {
      io.netty.util.ReferenceCountUtil.release(msg);
      return;
    }
    byte[] bytes;
    InetSocketAddress sender;
    try {
      bytes = ByteBufUtil.getBytes(packet.content());
      sender = packet.sender();
    } finally {
      packet.release();
    }
    reading = true;
    try {
      pipeline.handle(bytes, false, sender, reply -> {
        DatagramPacket out = new DatagramPacket(Unpooled.wrappedBuffer(reply), sender);
        if (reading && ctx.executor().inEventLoop()) {
          ctx.write(out, ctx.voidPromise());
        } else {
          ctx.writeAndFlush(out, ctx.voidPromise());
        }
      });
    } finally {
      reading = false;
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A UDP socket is shared by every client: an error about one packet (e.g. ICMP unreachable reported as
    // PortUnreachableException) must never close it.
  }
}

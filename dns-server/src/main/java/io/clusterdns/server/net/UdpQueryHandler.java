package io.clusterdns.server.net;

import io.clusterdns.server.query.LivePipeline;
import io.netty.buffer.ByteBuf;
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
 * <p>The replies of a read batch are copied into one direct buffer ({@link #batch}) and sent as slices of it:
 * {@code sendmmsg} reads them where they lie. A reply of its own (a heap buffer, which Netty copies into a
 * pooled direct one) cost an allocation from the pool per reply, whose shared counters the two event loops
 * contended on: about 3 % of the server's CPU under dnsperf (issue 16).
 *
 * <p>Threads: one instance per channel, used only on that channel's event loop, except the reply callback of a
 * forwarded query, which goes through {@code writeAndFlush} (Netty hands it to the event loop).
 */
final class UdpQueryHandler extends ChannelInboundHandlerAdapter {
  /** Bytes of {@link #batch}: a read batch's replies (up to 64 datagrams of a few hundred bytes) fit. */
  private static final int BATCH_BYTES = 64 << 10;
  /** Replies larger than this get a buffer of their own, so one large reply does not waste the batch buffer. */
  private static final int LARGEST_IN_BATCH = 4096;

  private final LivePipeline pipeline;
  /** True while {@link #channelRead} runs: replies may then be batched. Event loop only. */
  private boolean reading;
  /**
   * Direct buffer the replies of read batches are copied into, or null before the first. The handler holds one
   * reference and each slice written from it one more; once every slice is sent, the buffer is reused from its
   * start. Event loop only.
   */
  private ByteBuf batch;

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
        if (reading && ctx.executor().inEventLoop()) {
          ctx.write(new DatagramPacket(inBatch(ctx, reply), sender), ctx.voidPromise());
        } else {
          ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(reply), sender), ctx.voidPromise());
        }
      });
    } finally {
      reading = false;
    }
  }

  /** {@code reply} copied into the batch buffer, as a slice that holds a reference to it. Event loop only. */
  private ByteBuf inBatch(ChannelHandlerContext ctx, byte[] reply) {
    if (reply.length > LARGEST_IN_BATCH) {
      return Unpooled.wrappedBuffer(reply);
    }
    ByteBuf b = batch;
    if (b == null || b.writableBytes() < reply.length) {
      if (b != null) {
        b.release(); // the slices still queued keep it alive until they are sent
      }
      b = batch = ctx.alloc().directBuffer(BATCH_BYTES, BATCH_BYTES);
    }
    int at = b.writerIndex();
    b.writeBytes(reply);
    b.retain(); // released with the slice, when the outbound buffer has sent it
    return b.slice(at, reply.length);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
    ByteBuf b = batch;
    if (b != null && b.refCnt() == 1) {
      b.clear(); // every slice was sent: the next batch starts at the front (and in the same cache lines)
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (batch != null) {
      batch.release();
      batch = null;
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A UDP socket is shared by every client: an error about one packet (e.g. ICMP unreachable reported as
    // PortUnreachableException) must never close it.
  }
}

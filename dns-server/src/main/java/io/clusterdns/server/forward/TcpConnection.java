package io.clusterdns.server.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * A TCP connection to one upstream with 2-byte length framing (RFC 1035 4.2.2), carrying one query at a time
 * and kept idle in {@link LoopConnections} for reuse until {@code expire} (CoreDNS's connection cache;
 * RFC 7766 6.2.1 lets clients reuse connections). A connection that was reused and then closes before
 * answering (the upstream timed it out while idle) tells the waiting try so, which retries on a fresh
 * connection without blaming the upstream.
 *
 * <p>Event loop only.
 */
final class TcpConnection extends ChannelInboundHandlerAdapter implements Carrier {

  private final LoopConnections owner;
  private final Upstream upstream;
  private final Channel channel;
  private boolean connected;
  private boolean reused;
  private byte[] queued;
  private UpstreamTry waiting;
  private int id = -1;
  long idleSinceNanos;

  TcpConnection(LoopConnections owner, Upstream upstream, long connectTimeoutMillis) {
    this.owner = owner;
    this.upstream = upstream;
    this.channel = owner.forwarder().transport().tcp().newChannel();
    channel.config().setOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, connectTimeoutMillis));
    channel.pipeline().addLast(new LengthFieldBasedFrameDecoder(65535 + 2, 0, 2, 0, 2), this);
    owner.loop().register(channel).addListener((ChannelFutureListener) reg -> {
      if (!reg.isSuccess()) {
        fail();
        return;
      }
      channel.connect(upstream.address()).addListener((ChannelFutureListener) conn -> {
        if (!conn.isSuccess()) {
          fail();
          return;
        }
        connected = true;
        if (queued != null) {
          write(queued);
          queued = null;
        }
      });
    });
  }

  boolean isOpen() {
    return channel.isOpen();
  }

  /** Marks a connection taken from the idle pool. */
  void reuse() {
    reused = true;
  }

  @Override
  public void send(UpstreamTry t) {
    this.waiting = t;
    this.id = Forwarder.randomId();
    byte[] wire = t.bind(this, id);
    if (connected) {
      write(wire);
    } else {
      queued = wire;
    }
  }

  private void write(byte[] wire) {
    ByteBuf out = channel.alloc().buffer(wire.length + 2);
    out.writeShort(wire.length).writeBytes(wire);
    channel.writeAndFlush(out).addListener((ChannelFutureListener) w -> {
      if (!w.isSuccess()) {
        fail();
      }
    });
  }

  @Override
  public void answered(int answeredId) {
    waiting = null;
    id = -1;
    owner.tcpIdle(upstream, this);
  }

  @Override
  public void abandon(int abandonedId) {
    // A late reply could still arrive on this stream; rather than track it, close the connection.
    waiting = null;
    id = -1;
    channel.close();
  }

  void close() {
    channel.close();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      ByteBuf frame = (ByteBuf) msg;
      UpstreamTry t = waiting;
      if (t == null || frame.readableBytes() < 2 || frame.getUnsignedShort(frame.readerIndex()) != id) {
        owner.dropped(upstream);
        return;
      }
      t.onReply(this, id, ByteBufUtil.getBytes(frame));
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail();
  }

  private void fail() {
    channel.close();
    UpstreamTry t = waiting;
    if (t != null) {
      waiting = null;
      int failedId = id;
      id = -1;
      t.carrierFailed(this, failedId, reused);
    }
  }
}

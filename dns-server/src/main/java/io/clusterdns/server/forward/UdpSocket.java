package io.clusterdns.server.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import java.util.ArrayList;
import java.util.List;

/**
 * A connected UDP socket to one upstream, shared by the queries of one event loop. Connecting makes the
 * kernel drop datagrams from any other address, and the ephemeral source port is random; replies are matched
 * to queries by ID here and by question in {@link ReplyCheck} (RFC 5452). A socket is retired after
 * {@link #MAX_QUERIES} queries or the {@code expire} time, so source ports keep changing, and closed once
 * its last query is settled.
 *
 * <p>Event loop only.
 */
final class UdpSocket extends ChannelInboundHandlerAdapter implements Carrier {

  /**
   * Queries one socket carries before it is retired (count). Limits how long a spoofer who learnt the source
   * port has to guess IDs, at the cost of one socket creation per this many queries.
   */
  static final int MAX_QUERIES = 512;

  private final LoopConnections owner;
  private final Upstream upstream;
  private final Channel channel;
  private final long bornNanos;
  private final IntObjectHashMap<UpstreamTry> pending = new IntObjectHashMap<>();
  private List<byte[]> queued = new ArrayList<>(2);
  private boolean connected;
  private boolean retired;
  private int sent;

  /** Largest UDP reply accepted from an upstream, bytes: the most a DNS message can be (RFC 1035 4.2.2). */
  static final int MAX_REPLY = 65535;

  UdpSocket(LoopConnections owner, Upstream upstream) {
    this.owner = owner;
    this.upstream = upstream;
    this.bornNanos = owner.now();
    this.channel = owner.forwarder().transport().udp().newChannel();
    // Netty reads 2048 bytes per datagram by default; an upstream answering a client's 4096-byte EDNS size
    // sends more, and a cut reply would be dropped as unparsable until the try times out.
    channel.config().setRecvByteBufAllocator(new io.netty.channel.FixedRecvByteBufAllocator(MAX_REPLY));
    channel.pipeline().addLast(this);
    owner.loop().register(channel).addListener((ChannelFutureListener) reg -> {
      if (!reg.isSuccess()) {
        failAll();
        return;
      }
      channel.connect(upstream.address()).addListener((ChannelFutureListener) conn -> {
        if (!conn.isSuccess()) {
          failAll();
          return;
        }
        connected = true;
        List<byte[]> q = queued;
        queued = null;
        for (byte[] w : q) {
          write(w);
        }
        channel.flush();
      });
    });
  }

  /** Queries sent and not yet answered or given up (a hedge's loser stays until its timeout). */
  int pendingCount() {
    return pending.size();
  }

  /** Whether new queries should go to a fresh socket instead. */
  boolean worn(long nowNanos, long expireNanos) {
    return retired || sent >= MAX_QUERIES || nowNanos - bornNanos > expireNanos || !channel.isOpen();
  }

  /** No new queries; closes when the last pending one is settled. */
  void retire() {
    retired = true;
    if (pending.isEmpty()) {
      channel.close();
    }
  }

  @Override
  public void send(UpstreamTry t) {
    int id = Forwarder.randomId();
    while (pending.containsKey(id)) {
      id = (id + 1) & 0xffff; // ends: at most MAX_QUERIES of the 65536 IDs are in use
    }
    sent++;
    pending.put(id, t);
    byte[] wire = t.bind(this, id);
    if (connected) {
      write(wire);
      channel.flush();
    } else if (queued != null) {
      queued.add(wire);
    }
  }

  private void write(byte[] wire) {
    ByteBuf out = channel.alloc().buffer(wire.length).writeBytes(wire);
    channel.write(out).addListener((ChannelFutureListener) w -> {
      if (!w.isSuccess()) {
        failAll();
      }
    });
  }

  @Override
  public void answered(int id) {
    settle(id);
  }

  @Override
  public void abandon(int id) {
    settle(id);
  }

  private void settle(int id) {
    pending.remove(id);
    if (retired && pending.isEmpty()) {
      channel.close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      ByteBuf content = ((DatagramPacket) msg).content();
      if (content.readableBytes() < 2) {
        owner.dropped(upstream);
        return;
      }
      int id = content.getUnsignedShort(content.readerIndex());
      UpstreamTry t = pending.get(id);
      if (t == null) {
        owner.dropped(upstream); // late (after a timeout) or spoofed
        return;
      }
      t.onReply(this, id, ByteBufUtil.getBytes(content));
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // ICMP port unreachable on the connected socket: the upstream is not listening; every query waiting
    // here went to it, so each moves on to its next upstream now instead of waiting for its timer.
    failAll();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    failAll();
  }

  private void failAll() {
    retired = true;
    queued = null;
    if (!pending.isEmpty()) {
      List<UpstreamTry> waiting = new ArrayList<>(pending.values());
      List<Integer> ids = new ArrayList<>(pending.keySet());
      pending.clear();
      for (int i = 0; i < waiting.size(); i++) {
        waiting.get(i).carrierFailed(this, ids.get(i), false);
      }
    }
    channel.close();
    owner.udpGone(upstream, this);
  }
}

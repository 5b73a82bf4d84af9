package io.clusterdns.server.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;

/**
 * One forwarded query on its way through the upstreams: try one upstream at a time, each try bounded by the
 * per-try timeout and the overall deadline; the first matching reply wins; when the order is used up or the
 * deadline passes, fail with {@link ForwardFailure} (behaviours.md 11.1).
 *
 * <p>Threads: every field is owned by {@link #loop}; all callbacks (channel events, timers) run there, so
 * nothing here needs a lock. Each try uses its own channel: a connected UDP socket (the kernel then drops
 * datagrams from any other source, and its ephemeral port is random) or a TCP connection with 2-byte length
 * framing (RFC 1035 4.2.2). A reply from an earlier, abandoned try is ignored because its channel is no
 * longer {@link #current}.
 */
final class Exchange {

  private final Forwarder forwarder;
  private final EventLoop loop;
  private final byte[] wire;
  private final int id;
  private final int clientId;
  private final Record question;
  private final Upstream[] order;
  private final boolean tcp;
  private final long deadlineNanos;
  private final CompletableFuture<Message> result = new CompletableFuture<>();

  private int next;
  private Channel current;
  private Upstream currentUpstream;
  private ScheduledFuture<?> timer;
  private boolean done;

  Exchange(Forwarder forwarder, EventLoop loop, byte[] wire, int id, int clientId, Record question,
      Upstream[] order, boolean tcp) {
    this.forwarder = forwarder;
    this.loop = loop;
    this.wire = wire;
    this.id = id;
    this.clientId = clientId;
    this.question = question;
    this.order = order;
    this.tcp = tcp;
    this.deadlineNanos = System.nanoTime() + forwarder.budgetNanos();
  }

  CompletableFuture<Message> result() {
    return result;
  }

  /** Starts the first try; must run on {@link #loop}. */
  void start() {
    nextTry();
  }

  private void nextTry() {
    if (done) {
      return;
    }
    long remaining = deadlineNanos - System.nanoTime();
    if (next >= order.length || remaining <= 0) {
      finish(null, new ForwardFailure(ForwardFailure.Reason.NO_UPSTREAM_ANSWERED,
          "no upstream answered " + question.getName() + " " + org.xbill.DNS.Type.string(question.getType())
              + " after " + next + " tries"));
      return;
    }
    Upstream upstream = order[next++];
    long tryNanos = Math.min(forwarder.tryTimeoutNanos(), remaining);
    Channel ch = tcp ? forwarder.transport().tcp().newChannel() : forwarder.transport().udp().newChannel();
    current = ch;
    currentUpstream = upstream;
    if (tcp) {
      ch.config().setOption(ChannelOption.CONNECT_TIMEOUT_MILLIS,
          (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(tryNanos)));
      ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(65535 + 2, 0, 2, 0, 2));
    }
    ch.pipeline().addLast(new TryHandler());
    timer = loop.schedule(() -> tryFailed(ch), tryNanos, TimeUnit.NANOSECONDS);
    loop.register(ch).addListener((ChannelFutureListener) reg -> {
      if (!reg.isSuccess()) {
        tryFailed(ch);
        return;
      }
      ch.connect(upstream.address()).addListener((ChannelFutureListener) conn -> {
        if (!conn.isSuccess()) {
          tryFailed(ch);
          return;
        }
        ByteBuf out;
        if (tcp) {
          out = ch.alloc().buffer(wire.length + 2);
          out.writeShort(wire.length);
        } else {
          out = ch.alloc().buffer(wire.length);
        }
        out.writeBytes(wire);
        ch.writeAndFlush(out).addListener((ChannelFutureListener) w -> {
          if (!w.isSuccess()) {
            tryFailed(ch);
          }
        });
      });
    });
  }

  private void onBytes(Channel ch, byte[] bytes) {
    if (done || ch != current) {
      return; // a late reply to an abandoned try
    }
    Message reply = ReplyCheck.accept(bytes, id, question);
    if (reply == null) {
      forwarder.countDropped();
      return; // wrong ID or question: keep waiting for the real one until the timer fires
    }
    currentUpstream.recordSuccess();
    reply.getHeader().setID(clientId);
    finish(reply, null);
  }

  private void tryFailed(Channel ch) {
    if (done || ch != current) {
      return;
    }
    currentUpstream.recordFailure();
    closeCurrent();
    nextTry();
  }

  private void finish(Message reply, ForwardFailure failure) {
    done = true;
    closeCurrent();
    forwarder.exchangeDone();
    if (reply != null) {
      result.complete(reply);
    } else {
      result.completeExceptionally(failure);
    }
  }

  private void closeCurrent() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    if (current != null) {
      current.close();
      current = null;
    }
  }

  /** Per-try channel handler; runs on {@link #loop} like the rest. */
  private final class TryHandler extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        ByteBuf content = msg instanceof DatagramPacket p ? p.content() : (ByteBuf) msg;
        onBytes(ctx.channel(), ByteBufUtil.getBytes(content));
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      tryFailed(ctx.channel()); // TCP peer closed before answering
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      tryFailed(ctx.channel()); // e.g. ICMP port unreachable on the connected UDP socket
    }
  }
}

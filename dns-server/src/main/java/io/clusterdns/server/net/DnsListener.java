package io.clusterdns.server.net;

import io.clusterdns.server.query.LivePipeline;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * UDP and TCP on one address and port (behaviours.md 10.1).
 *
 * <p>Design notes. Under epoll, UDP gets one {@code SO_REUSEPORT} socket per event loop so the kernel spreads
 * packets across loops without a shared socket lock, and each socket reads up to {@value #DATAGRAMS_PER_READ}
 * datagrams per {@code recvmmsg} (performance.md 2.5). {@code SO_REUSEPORT} would also let a second process
 * bind the same port silently (dependencies.md 2), so the port is first bound once without it: if that fails,
 * start-up fails with "address already in use". TCP uses one listening socket; connections spread over the
 * loops. A TCP connection over the server's connection limits is closed as soon as it is accepted
 * ({@link TcpConnections}); one idle for {@link TcpLimits#idleTimeout} is closed, and so is one whose query has
 * started but not arrived whole within {@link TcpLimits#queryTimeout} ({@link TcpFrameDecoder}); each reads at
 * most {@link TcpLimits#maxInFlight} queries ahead of its replies ({@link TcpQueryHandler}).
 */
public final class DnsListener implements AutoCloseable {
  /** Largest UDP query accepted, bytes: EDNS clients may send more than 512 (RFC 6891), 1232 is the flag-day size. */
  static final int MAX_UDP_QUERY = 1232;

  /** Datagrams read by one recvmmsg call. */
  static final int DATAGRAMS_PER_READ = 16;

  /** Bytes of unsent replies on one TCP connection above which its socket is no longer read. */
  static final int TCP_WRITE_HIGH_WATER = 256 * 1024;

  /** Bytes of unsent replies below which reading resumes. */
  static final int TCP_WRITE_LOW_WATER = 64 * 1024;

  /** Largest TCP frame: the 2-byte length prefix (RFC 1035 4.2.2). */
  private static final int MAX_TCP_FRAME = 65535;

  private final InetSocketAddress bound;
  private final List<Channel> channels;

  private DnsListener(InetSocketAddress bound, List<Channel> channels) {
    this.bound = bound;
    this.channels = channels;
  }

  /** The address actually bound (the real port when 0 was asked for). */
  public InetSocketAddress address() {
    return bound;
  }

  /** Binds with the default TCP limits, counted for this listener alone (tests). */
  public static DnsListener bind(EventLoops loops, InetSocketAddress address, LivePipeline pipeline)
      throws IOException {
    return bind(loops, address, pipeline, new TcpConnections(TcpLimits.DEFAULTS));
  }

  /** @param tcp the server's TCP limits and the count of its open connections, shared by its listeners */
  public static DnsListener bind(EventLoops loops, InetSocketAddress address, LivePipeline pipeline,
      TcpConnections tcp) throws IOException {
    if (address.getPort() != 0) {
      return bindOnce(loops, address, pipeline, tcp);
    }
    // Port 0: the kernel picks a free UDP port, but the same number may be taken for TCP (any outgoing
    // connection's ephemeral port), so a fresh pick is tried a few times before giving up.
    for (int attempt = 1; ; attempt++) {
      try {
        return bindOnce(loops, address, pipeline, tcp);
      } catch (BindException e) {
        if (attempt == EPHEMERAL_PORT_ATTEMPTS || !e.getMessage().endsWith("address already in use")) {
          throw e;
        }
      }
    }
  }

  /** How many ephemeral ports are tried for UDP and TCP together when port 0 is asked for. */
  private static final int EPHEMERAL_PORT_ATTEMPTS = 16;

  private static DnsListener bindOnce(EventLoops loops, InetSocketAddress address, LivePipeline pipeline,
      TcpConnections tcp) throws IOException {
    TcpLimits limits = tcp.limits();
    List<Channel> channels = new ArrayList<>();
    try {
      int port = address.getPort();
      if (port != 0) {
        probeUdpFree(address);
      }
      int udpSockets = loops.epoll() ? loops.threads() : 1;
      for (int i = 0; i < udpSockets; i++) {
        Bootstrap b = new Bootstrap()
            .group(loops.group())
            .channelFactory(loops.datagramChannel(address.getAddress()))
            .option(ChannelOption.SO_RCVBUF, 4 << 20)
            .option(ChannelOption.SO_SNDBUF, 4 << 20)
            // Receive buffers, the handler's batch buffers and the direct copies of replies sent outside a read
            // batch come from the pooled allocator's per-thread cache, where Netty 4.2's default (adaptive) one
            // spent CAS and lock work per reply (about 7 % of the server's user CPU under dnsperf, RESULTS.md,
            // issue 16).
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .handler(new UdpQueryHandler(pipeline));
        if (loops.epoll()) {
          b.option(EpollChannelOption.SO_REUSEPORT, true)
              .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_UDP_QUERY)
              .option(ChannelOption.RECVBUF_ALLOCATOR,
                  new FixedRecvByteBufAllocator(MAX_UDP_QUERY * DATAGRAMS_PER_READ));
        }
        Channel ch = bindOrExplain(b.bind(new InetSocketAddress(address.getAddress(), port)), address, "UDP");
        channels.add(ch);
        port = ((InetSocketAddress) ch.localAddress()).getPort();
      }
      ServerBootstrap sb = new ServerBootstrap()
          .group(loops.group())
          .channel(loops.serverChannel())
          .option(ChannelOption.SO_BACKLOG, 1024)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
              new WriteBufferWaterMark(TCP_WRITE_LOW_WATER, TCP_WRITE_HIGH_WATER))
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              if (!tcp.admit(ch)) {
                ch.close(); // over the connection limits: closed at once, counted
                return;
              }
              ch.pipeline()
                  .addLast(new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                  .addLast(new TcpFrameDecoder(MAX_TCP_FRAME, limits.queryTimeout().toMillis()))
                  // Holds decoded queries while the connection is at its in-flight limit (autoRead off).
                  .addLast(new FlowControlHandler())
                  .addLast(new TcpQueryHandler(pipeline, tcp));
            }
          });
      channels.add(bindOrExplain(sb.bind(new InetSocketAddress(address.getAddress(), port)), address, "TCP"));
      return new DnsListener(new InetSocketAddress(address.getAddress(), port), channels);
    } catch (IOException | RuntimeException e) {
      channels.forEach(c -> c.close().syncUninterruptibly());
      throw e;
    }
  }

  private static void probeUdpFree(InetSocketAddress address) throws BindException {
    try (DatagramChannel probe = DatagramChannel.open()) {
      probe.bind(address);
    } catch (IOException e) {
      throw new BindException("cannot listen on " + show(address) + " (UDP): " + reason(e));
    }
  }

  private static Channel bindOrExplain(io.netty.channel.ChannelFuture f, InetSocketAddress address, String proto)
      throws BindException {
    f.awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new BindException("cannot listen on " + show(address) + " (" + proto + "): " + reason(f.cause()));
    }
    return f.channel();
  }

  private static String reason(Throwable t) {
    String m = t.getMessage();
    if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("in use")) {
      return "address already in use";
    }
    return m == null ? t.getClass().getSimpleName() : m;
  }

  private static String show(InetSocketAddress a) {
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  @Override
  public void close() {
    for (Channel c : channels) {
      c.close().syncUninterruptibly();
    }
  }
}

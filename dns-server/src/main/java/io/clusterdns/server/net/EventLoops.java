package io.clusterdns.server.net;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The server's event loops and the channel classes that go with them: native epoll on Linux (recvmmsg,
 * sendmmsg, SO_REUSEPORT; performance.md 2.5), NIO elsewhere. One group serves listeners and the forwarder,
 * so a forwarded answer completes on an event loop, not on a thread of its own.
 */
public final class EventLoops implements AutoCloseable {
  private final boolean epoll;
  private final int threads;
  private final EventLoopGroup group;

  public EventLoops(int threads) {
    this.epoll = Epoll.isAvailable();
    this.threads = threads;
    IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("dns", true), factory);
  }

  public boolean epoll() {
    return epoll;
  }

  public int threads() {
    return threads;
  }

  public EventLoopGroup group() {
    return group;
  }

  /**
   * A UDP channel for a socket bound to {@code address}, of that address's own family: an IPv4 address gets an
   * IPv4 socket. (Netty's default is a dual-stack IPv6 socket, whose every datagram to or from an IPv4 peer goes
   * through the kernel's IPv6 UDP code before its IPv4 code, about 1 % of the server's CPU under load; issue 16.)
   */
  public ChannelFactory<DatagramChannel> datagramChannel(InetAddress address) {
    SocketProtocolFamily family = address instanceof Inet4Address ? SocketProtocolFamily.INET
        : SocketProtocolFamily.INET6;
    return epoll ? () -> new EpollDatagramChannel(family) : () -> new NioDatagramChannel(family);
  }

  public Class<? extends ServerChannel> serverChannel() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public Class<? extends SocketChannel> socketChannel() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}

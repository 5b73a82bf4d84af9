package io.clusterdns.server.forward;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The server's event loops plus the channel kinds that fit them, so upstream sockets live on the same loops
 * as the client sockets (no extra threads; STYLE.md "the forward is asynchronous, and its completion returns
 * to the same event loop"). Immutable.
 */
public record UpstreamTransport(
    EventLoopGroup group,
    ChannelFactory<? extends DatagramChannel> udp,
    ChannelFactory<? extends SocketChannel> tcp) {

  /** Picks epoll channels for an epoll group and NIO channels otherwise. */
  public static UpstreamTransport forGroup(EventLoopGroup group) {
    if (group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class)) {
      return new UpstreamTransport(group, EpollDatagramChannel::new, EpollSocketChannel::new);
    }
    return new UpstreamTransport(group, NioDatagramChannel::new, NioSocketChannel::new);
  }
}

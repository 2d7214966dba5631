package org.medfl.common.transport;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import org.medfl.common.pki.Identity;
import org.medfl.common.pki.TlsCredentials;

/** Channels to the coordinator: always mutual TLS, trusting only the consortium CA. */
public final class Channels {
  private Channels() {}

  /** A mutual-TLS channel to {@code host:port} presenting {@code identity}. */
  public static ManagedChannel mutualTls(String host, int port, Identity identity, X509Certificate ca) {
    return NettyChannelBuilder.forAddress(host, port, TlsCredentials.client(identity, ca))
        // keepalives notice a coordinator that vanished without closing the connection (power loss, cable)
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveWithoutCalls(true)
        .build();
  }
}

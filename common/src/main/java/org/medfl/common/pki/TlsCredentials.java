package org.medfl.common.pki;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * gRPC mutual-TLS credentials that trust only the consortium CA.
 *
 * <p>Only TLS 1.3 and 1.2 can be negotiated: grpc-java offers HTTP/2's cipher list, which has no suite for older
 * versions, and Java 17 disables TLS 1.0 and 1.1 ({@code jdk.tls.disabledAlgorithms}).
 */
public final class TlsCredentials {
  // The key store lives only in memory; the password protects nothing but is required by the API.
  private static final char[] IN_MEMORY_PASSWORD = "medfl".toCharArray();

  private TlsCredentials() {}

  /** Server credentials presenting {@code id} and requiring a client certificate issued by {@code ca}. */
  public static ServerCredentials server(Identity id, X509Certificate ca) {
    return TlsServerCredentials.newBuilder()
        .keyManager(keyManagers(id))
        .trustManager(trustManagers(ca))
        .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
        .build();
  }

  /** Channel credentials presenting {@code id} and accepting only a server certificate issued by {@code ca}. */
  public static ChannelCredentials client(Identity id, X509Certificate ca) {
    return TlsChannelCredentials.newBuilder()
        .keyManager(keyManagers(id))
        .trustManager(trustManagers(ca))
        .build();
  }

  private static KeyManager[] keyManagers(Identity id) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(id.name(), id.privateKey(), IN_MEMORY_PASSWORD, new Certificate[] {id.certificate()});
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, IN_MEMORY_PASSWORD);
      return factory.getKeyManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new PkiException("cannot use the key and certificate of " + id.name() + " for TLS: " + e.getMessage(), e);
    }
  }

  private static TrustManager[] trustManagers(X509Certificate ca) {
    try {
      // A store holding the consortium CA alone, so that no public CA can vouch for a participant.
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("consortium-ca", ca);
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      return factory.getTrustManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new PkiException("cannot trust CA certificate " + ca.getSubjectX500Principal() + ": " + e.getMessage(), e);
    }
  }
}

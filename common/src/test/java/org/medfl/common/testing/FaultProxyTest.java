package org.medfl.common.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.medfl.common.testing.FaultProxy.Direction;

/** The fault proxy on plain loopback sockets: it forwards faithfully, and each fault does what it says. */
class FaultProxyTest {
  private static final int READ_TIMEOUT_MILLIS = 20_000;

  private ServerSocket server;
  private FaultProxy proxy;

  @AfterEach
  void closeAll() throws IOException {
    if (proxy != null) {
      proxy.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void forwardsBytesBothWaysUnchanged() throws Exception {
    // given
    startEchoServer();
    byte[] sent = new byte[300_000];
    new Random(7).nextBytes(sent);
    try (Socket client = connect()) {
      // when
      CompletableFuture.runAsync(() -> writeQuietly(client, sent));
      byte[] echoed = client.getInputStream().readNBytes(sent.length);

      // then
      assertArrayEquals(sent, echoed);
      assertEquals(sent.length, proxy.bytes(Direction.UPSTREAM));
      Await.until("the echo to be counted", Duration.ofSeconds(10),
          () -> proxy.bytes(Direction.DOWNSTREAM) == sent.length);
      assertEquals(0, proxy.cuts());
    }
  }

  @Test
  void cutResetsBothSidesAfterExactlyTheArmedBytes() throws Exception {
    // given: a server that reads until its connection ends, and a cut armed for 100 kB upstream
    server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    CompletableFuture<String> serverSaw = CompletableFuture.supplyAsync(() -> {
      try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        byte[] buffer = new byte[8192];
        while (in.read(buffer) >= 0) {
          // drain
        }
        return "orderly end";
      } catch (SocketTimeoutException e) {
        return "timeout";
      } catch (IOException e) {
        return "reset";
      }
    });
    proxy = FaultProxy.toLoopbackPort(server.getLocalPort());
    proxy.cutAfter(Direction.UPSTREAM, 100_000);

    // when: the client sends far more than that
    IOException clientError;
    try (Socket client = connect()) {
      clientError = assertThrows(IOException.class, () -> {
        OutputStream out = client.getOutputStream();
        byte[] block = new byte[64 * 1024];
        for (int i = 0; i < 1024; i++) {
          out.write(block);
        }
        client.getInputStream().read();
      });
    }

    // then: exactly the armed bytes went through, then both sides saw a reset, not an orderly close
    assertEquals("reset", serverSaw.get(30, TimeUnit.SECONDS));
    assertEquals(100_000, proxy.bytes(Direction.UPSTREAM));
    assertEquals(1, proxy.cuts());
    assertTrue(clientError.getMessage() != null, clientError.toString());
  }

  @Test
  void throttleLimitsTheRate() throws Exception {
    // given: a server that sends 512 KiB and closes, downstream limited to 256 KiB/s
    server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    CompletableFuture.runAsync(() -> {
      try (Socket socket = server.accept()) {
        socket.getOutputStream().write(new byte[512 * 1024]);
      } catch (IOException e) {
        // the test fails on the client side
      }
    });
    proxy = FaultProxy.toLoopbackPort(server.getLocalPort());
    proxy.throttle(Direction.DOWNSTREAM, 256 * 1024);

    // when
    long start = System.nanoTime();
    int received;
    try (Socket client = connect()) {
      received = client.getInputStream().readAllBytes().length;
    }
    double seconds = (System.nanoTime() - start) / 1e9;

    // then: about two seconds; a loaded machine can only make it slower
    assertEquals(512 * 1024, received);
    assertTrue(seconds >= 1.5, "512 KiB at 256 KiB/s took only " + seconds + " s");
  }

  @Test
  void stallHoldsBytesUntilResumed() throws Exception {
    // given
    startEchoServer();
    proxy.stall(Direction.DOWNSTREAM);
    try (Socket client = connect()) {
      // when: the client's bytes reach the server, whose echo is held
      client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
      Await.until("the request to reach the server", Duration.ofSeconds(10),
          () -> proxy.bytes(Direction.UPSTREAM) == 4);
      client.setSoTimeout(500);

      // then: nothing comes back while stalled, everything once resumed
      assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read());
      assertEquals(0, proxy.bytes(Direction.DOWNSTREAM));
      proxy.resume(Direction.DOWNSTREAM);
      client.setSoTimeout(READ_TIMEOUT_MILLIS);
      assertEquals("ping", new String(client.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
    }
  }

  @Test
  void delayHoldsEachChunk() throws Exception {
    // given
    startEchoServer();
    proxy.delay(Direction.UPSTREAM, Duration.ofMillis(400));
    try (Socket client = connect()) {
      // when
      long start = System.nanoTime();
      client.getOutputStream().write(1);
      int echoed = client.getInputStream().read();
      long millis = (System.nanoTime() - start) / 1_000_000;

      // then
      assertEquals(1, echoed);
      assertTrue(millis >= 400, "the echo came back after " + millis + " ms");
    }
  }

  @Test
  void cutAllResetsOpenConnections() throws Exception {
    // given: an open, working connection
    startEchoServer();
    try (Socket client = connect()) {
      client.getOutputStream().write(1);
      assertEquals(1, client.getInputStream().read());

      // when
      proxy.cutAll();

      // then
      assertThrows(IOException.class, () -> client.getInputStream().read());
      assertEquals(1, proxy.cuts());
    }
  }

  /** An echo server for one connection at a time, and a proxy in front of it. */
  private void startEchoServer() throws IOException {
    server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    Thread echo = new Thread(() -> {
      while (!server.isClosed()) {
        try (Socket socket = server.accept()) {
          socket.getInputStream().transferTo(socket.getOutputStream());
        } catch (IOException e) {
          // connection reset or server closed: take the next one
        }
      }
    }, "echo");
    echo.setDaemon(true);
    echo.start();
    proxy = FaultProxy.toLoopbackPort(server.getLocalPort());
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    return socket;
  }

  private static void writeQuietly(Socket socket, byte[] bytes) {
    try {
      socket.getOutputStream().write(bytes);
    } catch (IOException e) {
      // the reading side fails the test
    }
  }
}

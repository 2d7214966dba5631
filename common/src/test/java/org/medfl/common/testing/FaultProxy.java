package org.medfl.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy for tests that puts network faults between a client and a server: latency, a bandwidth limit, a stall
 * (bytes held while the connection stays open) and a cut (both sockets reset after a given number of bytes).
 *
 * <p>Faults are set per {@link Direction}, take effect at once on open connections as well as new ones, and can be
 * changed while traffic flows; the bandwidth limit is shared by all connections in that direction. The proxy works on
 * bytes, so it sits under TLS without knowing about it: to aim a fault at one gRPC call, throttle the direction so the
 * call's transfer takes seconds, then arm the fault once the call is seen to start (for instance in the site's
 * egress ledger).
 *
 * <p>Each connection uses four daemon threads: a reader and a writer per direction, with a queue of up to 1 MiB
 * between them, so that latency delays each chunk rather than holding up the reads behind it.
 */
public final class FaultProxy implements AutoCloseable {
  /** Which way bytes flow. */
  public enum Direction {
    /** From the client that connected to the proxy towards the target. */
    UPSTREAM,
    /** From the target back to the client. */
    DOWNSTREAM
  }

  private static final int CHUNK_BYTES = 16 * 1024;
  /** Chunks queued per direction and connection before the reader stops reading (TCP then pushes back). */
  private static final int QUEUE_CHUNKS = 64;
  private static final byte[] END_OF_STREAM = new byte[0];

  private final InetSocketAddress target;
  private final ServerSocket listener;
  private final Thread acceptor;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final Map<Direction, Faults> faults = new EnumMap<>(Direction.class);
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger cuts = new AtomicInteger();
  /** Guards every {@link Faults}; writers wait on it, so any change of faults wakes them. */
  private final Object lock = new Object();
  private volatile boolean closed;

  private FaultProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    for (Direction direction : Direction.values()) {
      faults.put(direction, new Faults());
    }
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "fault-proxy-accept-" + listener.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A proxy listening on an ephemeral loopback port, forwarding every connection to {@code target}. */
  public static FaultProxy start(InetSocketAddress target) throws IOException {
    return new FaultProxy(target);
  }

  /** A proxy to {@code 127.0.0.1:targetPort}; the target need not listen yet (clients are cut until it does). */
  public static FaultProxy toLoopbackPort(int targetPort) throws IOException {
    return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
  }

  /** The loopback port clients connect to. */
  public int port() {
    return listener.getLocalPort();
  }

  /** Holds each chunk {@code latency} after it was read before forwarding it; zero lifts the delay. */
  public void delay(Direction direction, Duration latency) {
    change(direction, f -> f.latencyNanos = latency.toNanos());
  }

  /** Forwards at most {@code bytesPerSecond} in that direction, over all connections; 0 lifts the limit. */
  public void throttle(Direction direction, long bytesPerSecond) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("bytes per second must be >= 0, got " + bytesPerSecond);
    }
    change(direction, f -> {
      f.bytesPerSecond = bytesPerSecond;
      f.nextFreeNanos = System.nanoTime();
    });
  }

  /** Stops forwarding in that direction; connections stay open and bytes queue up until {@link #resume}. */
  public void stall(Direction direction) {
    change(direction, f -> f.stalled = true);
  }

  /** Forwards again what a {@link #stall} held back. */
  public void resume(Direction direction) {
    change(direction, f -> f.stalled = false);
  }

  /**
   * Once: after {@code bytes} more bytes went that way, resets the connection that carried the last of them, both
   * sides abruptly (TCP RST, no orderly close), so each peer sees it die mid-stream.
   */
  public void cutAfter(Direction direction, long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
    }
    change(direction, f -> f.cutAfter = bytes);
  }

  /** Resets every open connection now, both sides. */
  public void cutAll() {
    for (Connection connection : connections) {
      // counted before the reset, so whoever sees the reset also sees the count
      cuts.incrementAndGet();
      connection.reset();
    }
  }

  /** Lifts every fault in both directions (an armed cut included), so the proxy forwards plainly again. */
  public void clear() {
    for (Direction direction : Direction.values()) {
      change(direction, f -> {
        f.latencyNanos = 0;
        f.bytesPerSecond = 0;
        f.stalled = false;
        f.cutAfter = -1;
      });
    }
  }

  /** Bytes forwarded in that direction so far, over all connections. */
  public long bytes(Direction direction) {
    return faults.get(direction).forwarded.get();
  }

  /** Connections reset by {@link #cutAfter} or {@link #cutAll} so far. */
  public int cuts() {
    return cuts.get();
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  /** Stops listening and resets every open connection. */
  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      // closing a listener only fails if it is already closed
    }
    connections.forEach(Connection::reset);
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  /** The faults of one direction; fields guarded by {@link #lock}, except the byte counter. */
  private static final class Faults {
    long latencyNanos;
    long bytesPerSecond;
    long nextFreeNanos;
    boolean stalled;
    /** Bytes left before the armed cut; -1 when none is armed. */
    long cutAfter = -1;
    final AtomicLong forwarded = new AtomicLong();
  }

  private void change(Direction direction, java.util.function.Consumer<Faults> update) {
    synchronized (lock) {
      update.accept(faults.get(direction));
      lock.notifyAll();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      accepted.incrementAndGet();
      Socket server = new Socket();
      try {
        server.connect(target, 10_000);
      } catch (IOException e) {
        // Nothing listens at the target: the client sees its connection reset, as it would without the proxy.
        resetQuietly(client);
        closeQuietly(server);
        continue;
      }
      Connection connection = new Connection(client, server);
      connections.add(connection);
      connection.start();
    }
  }

  /** One proxied connection: two pumps, one per direction. */
  private final class Connection {
    private final Socket client;
    private final Socket server;
    private final AtomicInteger pumpsDone = new AtomicInteger();
    private volatile boolean reset;

    Connection(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void start() {
      String name = "fault-proxy-" + client.getPort();
      new Pump(this, Direction.UPSTREAM, client, server).start(name + "-up");
      new Pump(this, Direction.DOWNSTREAM, server, client).start(name + "-down");
    }

    /** Both sockets closed with SO_LINGER 0: the peers get an RST, not a FIN. */
    void reset() {
      reset = true;
      resetQuietly(client);
      resetQuietly(server);
      connections.remove(this);
      synchronized (lock) {
        lock.notifyAll(); // writers held by a stall or the bandwidth limit give up now
      }
    }

    void pumpDone() {
      if (pumpsDone.incrementAndGet() == 2) {
        closeQuietly(client);
        closeQuietly(server);
        connections.remove(this);
      }
    }
  }

  /** Moves one direction's bytes: a reader fills a queue, a writer applies the faults and forwards. */
  private final class Pump {
    private final Connection connection;
    private final Direction direction;
    private final Socket from;
    private final Socket to;
    private final Faults f;
    private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);

    Pump(Connection connection, Direction direction, Socket from, Socket to) {
      this.connection = connection;
      this.direction = direction;
      this.from = from;
      this.to = to;
      this.f = faults.get(direction);
    }

    void start(String name) {
      Thread reader = new Thread(this::read, name + "-read");
      Thread writer = new Thread(this::write, name + "-write");
      reader.setDaemon(true);
      writer.setDaemon(true);
      reader.start();
      writer.start();
    }

    private void read() {
      byte[] buffer = new byte[CHUNK_BYTES];
      try (InputStream in = from.getInputStream()) {
        while (true) {
          int n = in.read(buffer);
          if (n < 0) {
            queue.put(new Chunk(END_OF_STREAM, System.nanoTime()));
            return;
          }
          queue.put(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime()));
        }
      } catch (IOException e) {
        // the peer reset, or we did: a dead connection dies on both sides
        connection.reset();
        queue.offer(new Chunk(END_OF_STREAM, System.nanoTime()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void write() {
      try {
        OutputStream out = to.getOutputStream();
        while (true) {
          Chunk chunk = queue.take();
          if (chunk.bytes == END_OF_STREAM) {
            if (!connection.reset) {
              // pass the orderly end on, so half-closed streams behave as without the proxy
              to.shutdownOutput();
            }
            return;
          }
          int offset = 0;
          while (offset < chunk.bytes.length) {
            int n = admit(chunk, chunk.bytes.length - offset);
            if (n < 0) {
              return;
            }
            out.write(chunk.bytes, offset, n);
            out.flush();
            offset += n;
            f.forwarded.addAndGet(n);
            if (cutDue(n)) {
              cuts.incrementAndGet();
              connection.reset();
              return;
            }
          }
        }
      } catch (IOException e) {
        connection.reset();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        connection.reset();
      } finally {
        // a reader blocked on a full queue gets room, then finds its socket closed and ends
        queue.clear();
        connection.pumpDone();
      }
    }

    /**
     * Waits until {@code chunk} may go (its latency passed, the direction not stalled, the bandwidth free) and returns
     * how many of its {@code remaining} bytes go now; -1 if the connection or the proxy closed meanwhile.
     */
    private int admit(Chunk chunk, int remaining) throws InterruptedException {
      synchronized (lock) {
        while (true) {
          if (closed || connection.reset) {
            return -1;
          }
          long now = System.nanoTime();
          long waitNanos = 0;
          if (f.stalled) {
            waitNanos = Long.MAX_VALUE;
          } else if (now < chunk.readNanos + f.latencyNanos) {
            waitNanos = chunk.readNanos + f.latencyNanos - now;
          } else if (f.bytesPerSecond > 0 && now < f.nextFreeNanos) {
            waitNanos = f.nextFreeNanos - now;
          }
          if (waitNanos == 0) {
            int n = remaining;
            if (f.bytesPerSecond > 0) {
              // slices of about 20 ms of bandwidth keep the pace even
              n = (int) Math.min(n, Math.max(1, f.bytesPerSecond / 50));
              f.nextFreeNanos = Math.max(now, f.nextFreeNanos) + n * 1_000_000_000L / f.bytesPerSecond;
            }
            if (f.cutAfter >= 0) {
              n = (int) Math.min(n, f.cutAfter);
            }
            return n;
          }
          // a timed wait, woken early by any change of faults (resume, throttle lifted, close)
          lock.wait(Math.max(1, Math.min(waitNanos / 1_000_000L, 1_000)));
        }
      }
    }

    /** Counts {@code n} forwarded bytes against an armed cut; true (and disarmed) when it is due now. */
    private boolean cutDue(int n) {
      synchronized (lock) {
        if (f.cutAfter < 0) {
          return false;
        }
        f.cutAfter -= n;
        if (f.cutAfter > 0) {
          return false;
        }
        f.cutAfter = -1;
        return true;
      }
    }
  }

  /** Bytes read at {@code readNanos}. */
  private record Chunk(byte[] bytes, long readNanos) {}

  private static void resetQuietly(Socket socket) {
    try {
      if (!socket.isClosed()) {
        socket.setSoLinger(true, 0);
      }
    } catch (SocketException e) {
      // already closed or never connected: closing below is all that is left
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing more to release
    }
  }
}

package org.medfl.common.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Crash-safe file writes: a reader sees the old content or the new, never a torn mix. */
public final class AtomicFiles {
  private static final int BLOCK_FLOATS = 1 << 16;

  private AtomicFiles() {}

  /** Writes {@code bytes} to {@code target} through a temp file, fsync and an atomic rename. */
  public static void write(Path target, byte[] bytes) {
    writeWith(target, channel -> {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    });
  }

  /** Writes a float vector as little-endian float32, atomically. */
  public static void writeFloats(Path target, float[] values) {
    writeWith(target, channel -> {
      ByteBuffer block = ByteBuffer.allocateDirect(BLOCK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      for (int start = 0; start < values.length; start += BLOCK_FLOATS) {
        int end = Math.min(values.length, start + BLOCK_FLOATS);
        block.clear();
        block.asFloatBuffer().put(values, start, end - start);
        block.limit((end - start) * Float.BYTES);
        while (block.hasRemaining()) {
          channel.write(block);
        }
      }
    });
  }

  /** Reads a file written by {@link #writeFloats}. */
  public static float[] readFloats(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size % Float.BYTES != 0 || size / Float.BYTES > Integer.MAX_VALUE) {
        throw new IOException(file + " is not a float32 vector (" + size + " bytes)");
      }
      float[] values = new float[(int) (size / Float.BYTES)];
      ByteBuffer block = ByteBuffer.allocateDirect(BLOCK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      int position = 0;
      while (position < values.length) {
        block.clear();
        int want = Math.min(BLOCK_FLOATS, values.length - position) * Float.BYTES;
        block.limit(want);
        while (block.hasRemaining()) {
          if (channel.read(block) < 0) {
            throw new IOException(file + " ended early");
          }
        }
        block.flip();
        block.asFloatBuffer().get(values, position, want / Float.BYTES);
        position += want / Float.BYTES;
      }
      return values;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Body of an atomic write. */
  @FunctionalInterface
  private interface ChannelWriter {
    void writeTo(FileChannel channel) throws IOException;
  }

  private static void writeWith(Path target, ChannelWriter writer) {
    Path dir = target.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
      try {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
          writer.writeTo(channel);
          channel.force(true);
        }
        try {
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
      syncDirectory(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  /** The rename itself is only durable once the directory entry is flushed. */
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException ignored) {
      // Some file systems refuse to open directories; the rename is still atomic there.
    }
  }

  /**
   * The exclusive lock of {@code channel}'s file, or null when another holder (this JVM or another process) has it:
   * for files that exactly one writer may append to.
   */
  public static FileLock tryLockExclusively(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  /** Deletes {@code root} and everything below it, deepest first; nothing when it does not exist. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}

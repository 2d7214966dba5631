package org.medfl.client.data;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A site's data folder as the readers see it: which of its files may be opened, and a one-line reason for each one
 * that may not. A file is opened only when its real path (every symbolic link resolved) lies under the folder's real
 * path, it is a regular file, it is not empty and this process may read it. Nothing else is opened, not even to look
 * at its first bytes: a FIFO would block the reader for ever, and a link may lead to /etc/passwd or to a device.
 * Listing never follows a link to a folder, so link loops cannot make a walk endless.
 */
final class DataFolder {

  /** File type bits of {@code unix:mode} (st_mode), to name what a non-regular file is. */
  private static final int TYPE_MASK = 0170000;
  private static final int FIFO = 0010000;
  private static final int SOCKET = 0140000;
  private static final int CHARACTER_DEVICE = 0020000;
  private static final int BLOCK_DEVICE = 0060000;

  private final Path root;
  private final Path realRoot;

  /**
   * @param root the data folder; it may itself be, or lie under, a symbolic link (a mounted share, say)
   * @throws DataException if {@code root} cannot be resolved
   */
  DataFolder(Path root) {
    this.root = root.toAbsolutePath().normalize();
    try {
      this.realRoot = this.root.toRealPath();
    } catch (IOException e) {
      throw new DataException("cannot resolve the data folder " + this.root + ": " + e.getMessage(), e);
    }
  }

  /** The folder as given, absolute and normalised. */
  Path root() {
    return root;
  }

  /**
   * Why {@code file} must not be opened, in a few words for the operator (e.g. "a FIFO (named pipe), not a regular
   * file; not opened"), or null when it may be: it resolves to a non-empty regular file under the real data folder
   * that this process can read.
   */
  String refusal(Path file) {
    Path real;
    try {
      real = file.toRealPath();
    } catch (NoSuchFileException e) {
      return Files.isSymbolicLink(file) ? "broken symbolic link; not read" : "no such file";
    } catch (FileSystemException e) {
      // toRealPath reports a link cycle (ELOOP) as a plain FileSystemException whose reason is the OS's text.
      String reason = e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
      return reason.contains("symbolic links") ? "symbolic link loop; not read" : "cannot resolve its path ("
          + reason + "); not read";
    } catch (IOException e) {
      return "cannot resolve its path (" + e.getClass().getSimpleName() + "); not read";
    }
    if (!real.startsWith(realRoot)) {
      return outside(file);
    }
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(real, BasicFileAttributes.class);
    } catch (IOException e) {
      return "cannot read its attributes (" + e.getClass().getSimpleName() + "); not read";
    }
    if (attributes.isDirectory()) {
      return Files.isSymbolicLink(file) ? "symbolic link to a folder; links to folders are not followed"
          : "a folder, not a file";
    }
    if (!attributes.isRegularFile()) {
      return kind(real) + ", not a regular file; not opened";
    }
    if (attributes.size() == 0) {
      return "empty file (0 bytes)";
    }
    if (!Files.isReadable(real)) {
      return "permission denied";
    }
    return null;
  }

  /**
   * Why {@code folder} must not be listed (a link out of the data folder, not a folder), or null when it is a folder
   * whose real path lies under the real data folder.
   */
  String folderRefusal(Path folder) {
    Path real;
    try {
      real = folder.toRealPath();
    } catch (IOException e) {
      return Files.isSymbolicLink(folder) ? "symbolic link that cannot be resolved; not read" : "cannot be resolved";
    }
    if (!real.startsWith(realRoot)) {
      return outside(folder);
    }
    return Files.isDirectory(real) ? null : "not a folder";
  }

  /**
   * The non-hidden entries directly in the data folder, sorted, whatever their type; nothing is opened.
   *
   * @throws DataException if the data folder cannot be listed: then nothing in it can be used
   */
  List<Path> listRoot() {
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    } catch (IOException | RuntimeException e) {
      throw new DataException("cannot list " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * The non-hidden entries directly in {@code folder}, sorted, whatever their type; nothing is opened.
   *
   * @param problems gets one line when {@code folder} cannot be listed (then the result is empty)
   */
  List<Path> list(Path folder, List<String> problems) {
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    } catch (IOException | RuntimeException e) {
      problems.add(name(folder) + "/: cannot list this folder (" + e.getClass().getSimpleName() + "); its files were "
          + "not read");
      return List.of();
    }
  }

  /**
   * Every non-hidden entry at any depth under {@code folder} that is not itself a folder, sorted: regular files, and
   * also links, FIFOs, sockets and devices, for {@link #refusal} to name. Links to folders are entries, not followed,
   * and so are folders named like images (*.png, *.jpg, *.jpeg).
   *
   * @param problems gets one line per sub-folder that cannot be listed (permissions), instead of failing the walk
   */
  List<Path> walk(Path folder, List<String> problems) {
    var entries = new ArrayList<Path>();
    try {
      Files.walkFileTree(folder, EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              if (dir.equals(folder)) {
                return FileVisitResult.CONTINUE;
              }
              if (hidden(dir)) {
                return FileVisitResult.SKIP_SUBTREE;
              }
              // A folder named x.png is a mistake or a trap, never a container: an entry, for refusal() to name.
              if (DicomSource.isPlainImage(dir.getFileName().toString().toLowerCase(Locale.ROOT))) {
                entries.add(dir);
                return FileVisitResult.SKIP_SUBTREE;
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (!hidden(file)) {
                entries.add(file);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              // Only folders fail here (files are not opened by a walk): one unreadable folder skips its files only.
              if (!hidden(file)) {
                String why = e instanceof AccessDeniedException ? "permission denied" : e.getClass().getSimpleName();
                problems.add(name(file) + "/: cannot list this folder (" + why + "); its files were not read");
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      problems.add(name(folder) + "/: cannot list this folder (" + e.getClass().getSimpleName() + ")");
    }
    entries.sort(null);
    return entries;
  }

  /** Whether {@code entry} is a real folder, not a link to one. */
  static boolean isFolder(Path entry) {
    return Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS);
  }

  /** {@code file} relative to the data folder, as reports name it; the file name alone if it is not under it. */
  String name(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    Path relative = absolute.startsWith(root) ? root.relativize(absolute)
        : absolute.startsWith(realRoot) ? realRoot.relativize(absolute) : absolute.getFileName();
    return relative == null || relative.toString().isEmpty() ? "." : relative.toString();
  }

  /** The refusal of a path whose real path is outside; a path that looks inside got there through a link. */
  private String outside(Path path) {
    boolean looksInside = path.toAbsolutePath().normalize().startsWith(root);
    return "leads outside the data folder" + (looksInside ? " (symbolic link)" : "") + "; not read";
  }

  private static boolean hidden(Path p) {
    Path name = p.getFileName();
    return name != null && name.toString().startsWith(".");
  }

  /** What a non-regular, non-folder file is, from its st_mode type bits where the platform gives them. */
  private static String kind(Path real) {
    try {
      int type = (Integer) Files.getAttribute(real, "unix:mode") & TYPE_MASK;
      return switch (type) {
        case FIFO -> "a FIFO (named pipe)";
        case SOCKET -> "a socket";
        case CHARACTER_DEVICE -> "a character device";
        case BLOCK_DEVICE -> "a block device";
        default -> "a special file";
      };
    } catch (IOException | RuntimeException e) {
      return "a special file";
    }
  }
}

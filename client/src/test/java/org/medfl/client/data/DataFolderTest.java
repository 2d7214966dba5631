package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files of a data folder may be opened; the others get a reason and are never opened. */
class DataFolderTest {

  /** Ample for a stat; a reader that opened a FIFO would block here for ever instead. */
  private static final Duration NEVER_BLOCKS = Duration.ofSeconds(60);

  @TempDir
  Path tmp;

  private Path data;
  private Path outside;
  private DataFolder folder;

  @BeforeEach
  void folders() throws IOException {
    data = Files.createDirectories(tmp.resolve("data"));
    outside = Files.writeString(tmp.resolve("secret.txt"), "not for the site agent");
    folder = new DataFolder(data);
  }

  @Test
  void regularFilesInsideAndLinksToThemMayBeOpened() throws IOException {
    // given
    Path file = Files.writeString(data.resolve("a.png"), "x");
    Path link = Files.createSymbolicLink(data.resolve("b.png"), file);

    // when / then
    assertNull(folder.refusal(file));
    assertNull(folder.refusal(link));
  }

  @Test
  void linksLeadingOutsideAreRefusedWhateverTheyLeadTo() throws IOException {
    // given a link to a file beside the folder, one to /etc/passwd, one to /etc, and a relative ../../ link
    Path toFile = Files.createSymbolicLink(data.resolve("a.png"), outside);
    Path toPasswd = Files.createSymbolicLink(data.resolve("passwd.png"), Path.of("/etc/passwd"));
    Path toEtc = Files.createSymbolicLink(data.resolve("etc"), Path.of("/etc"));
    Path relative = Files.createSymbolicLink(data.resolve("up.dcm"), Path.of("../secret.txt"));

    // when / then
    for (Path link : List.of(toFile, toPasswd, relative)) {
      assertEquals("leads outside the data folder (symbolic link); not read", folder.refusal(link), link.toString());
    }
    assertEquals("leads outside the data folder (symbolic link); not read", folder.refusal(toEtc.resolve("passwd")));
    assertEquals("leads outside the data folder (symbolic link); not read", folder.folderRefusal(toEtc));
  }

  @Test
  void linkLoopsAndBrokenLinksAreRefused() throws IOException {
    // given a.png -> b.png -> a.png, and a link to nothing
    Path a = Files.createSymbolicLink(data.resolve("a.png"), data.resolve("b.png"));
    Files.createSymbolicLink(data.resolve("b.png"), a);
    Path broken = Files.createSymbolicLink(data.resolve("c.png"), data.resolve("missing.png"));

    // when / then
    assertEquals("symbolic link loop; not read", folder.refusal(a));
    assertEquals("broken symbolic link; not read", folder.refusal(broken));
  }

  @Test
  void walkListsLinkedFoldersWithoutFollowingThem() throws IOException {
    // given a class folder holding a link to its own parent, a loop a walk that followed links would never leave
    Path normal = Files.createDirectories(data.resolve("normal"));
    Files.writeString(normal.resolve("a.dcm"), "x");
    Path loop = Files.createSymbolicLink(normal.resolve("loop"), data);

    // when
    var problems = new ArrayList<String>();
    List<Path> entries = assertTimeoutPreemptively(NEVER_BLOCKS, () -> folder.walk(normal, problems));

    // then the link is one entry, refused as a folder link
    assertEquals(List.of(normal.resolve("a.dcm"), loop), entries);
    assertEquals("symbolic link to a folder; links to folders are not followed", folder.refusal(loop));
    assertEquals(List.of(), problems);
  }

  @Test
  void foldersNamedLikeImagesAreNotFiles() throws IOException {
    // given
    Path dir = Files.createDirectories(data.resolve("x.png"));

    // when / then
    assertEquals("a folder, not a file", folder.refusal(dir));
  }

  @Test
  void fifoIsRefusedWithoutBeingOpened() throws Exception {
    // given a FIFO named like an image: opening it to read would wait for a writer that never comes
    Path fifo = HostileFiles.fifo(data.resolve("y.png"));

    // when
    String refusal = assertTimeoutPreemptively(NEVER_BLOCKS, () -> folder.refusal(fifo));

    // then
    assertEquals("a FIFO (named pipe), not a regular file; not opened", refusal);
  }

  @Test
  void emptyFilesAreRefused() throws IOException {
    // given
    Path empty = Files.write(data.resolve("empty.dcm"), new byte[0]);

    // when / then
    assertEquals("empty file (0 bytes)", folder.refusal(empty));
  }

  @Test
  void filesWithoutReadPermissionAreRefusedWhereTheOsDeniesIt() throws IOException {
    // given a file with mode 000
    Path locked = Files.writeString(data.resolve("locked.png"), "x");
    boolean denied = HostileFiles.denyAll(locked);

    // when
    String refusal = folder.refusal(locked);

    // then refused where reading is denied; as root, which reads anything, it may be opened
    assertEquals(denied ? "permission denied" : null, refusal, "denied by the OS: " + denied);
  }

  @Test
  void aFolderThatCannotBeListedIsReportedAndTheWalkGoesOn() throws IOException {
    // given a class folder with a file, and a sub-folder with mode 000 holding another
    Path normal = Files.createDirectories(data.resolve("normal"));
    Files.writeString(normal.resolve("a.dcm"), "x");
    Path closed = Files.createDirectories(normal.resolve("closed"));
    Files.writeString(closed.resolve("b.dcm"), "x");
    boolean denied = HostileFiles.denyAll(closed);

    // when
    var problems = new ArrayList<String>();
    List<Path> entries = folder.walk(normal, problems);

    // then where the OS denies listing it, one problem line and the walk goes on; as root, both files
    try {
      if (denied) {
        assertEquals(List.of(normal.resolve("a.dcm")), entries);
        assertEquals(List.of("normal/closed/: cannot list this folder (permission denied); its files were not read"),
            problems);
      } else {
        assertEquals(List.of(normal.resolve("a.dcm"), closed.resolve("b.dcm")), entries);
        assertEquals(List.of(), problems);
      }
    } finally {
      // so that the temporary folder can be deleted
      Files.setPosixFilePermissions(closed, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void namesAreRelativeToTheDataFolder() throws IOException {
    // given a data folder reached through a link, as a mounted share would be
    Path linked = Files.createSymbolicLink(tmp.resolve("share"), data);
    var viaLink = new DataFolder(linked);

    // when / then
    assertEquals("normal/a.dcm", viaLink.name(linked.resolve("normal/a.dcm")));
    assertEquals("normal/a.dcm", viaLink.name(data.resolve("normal/a.dcm")));
    assertEquals("secret.txt", viaLink.name(outside));
    assertTrue(viaLink.refusal(outside) != null);
  }
}

package org.medfl.common.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigestsTest {
  @TempDir Path dir;

  @Test
  void bytesDigestMatchesKnownVector() {
    // given
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);

    // when
    String hex = Digests.sha256Hex(abc);

    // then: FIPS 180-2 test vector
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex);
  }

  @Test
  void floatDigestIsDigestOfLittleEndianBytesAcrossBlocks() {
    // given: more than one 64 KiB block and a partial last block
    float[] values = new float[40_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 0.5f - 7f;
    }
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      bytes.putFloat(v);
    }

    // when
    String hex = Digests.sha256Hex(values);

    // then
    assertEquals(Digests.sha256Hex(bytes.array()), hex);
  }

  @Test
  void fileDigestEqualsDigestOfItsBytes() throws Exception {
    // given
    byte[] content = new byte[200_000];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) (i * 31);
    }
    Path file = dir.resolve("model.bin");
    Files.write(file, content);

    // when
    String hex = Digests.sha256Hex(file);

    // then
    assertEquals(Digests.sha256Hex(content), hex);
  }
}

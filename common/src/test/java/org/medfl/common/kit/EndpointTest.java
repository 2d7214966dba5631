package org.medfl.common.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EndpointTest {
  @Test
  void parsesHostAndPortIncludingBracketedIpv6() {
    // given / when
    Endpoint dns = Endpoint.parse("fl.example.org:8443");
    Endpoint ipv6 = Endpoint.parse("[::1]:443");

    // then
    assertEquals(new Endpoint("fl.example.org", 8443), dns);
    assertEquals(new Endpoint("::1", 443), ipv6);
    assertEquals("[::1]:443", ipv6.toString());
  }

  @Test
  void rejectsPortOutOfRange() {
    // given / when
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("fl:70000"));

    // then
    assertEquals("'fl:70000' has port 70000; use a port from 1 to 65535", e.getMessage());
  }

  @Test
  void rejectsMissingPort() {
    // given / when
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("fl.example.org"));

    // then
    assertEquals("'fl.example.org' is not host:port, e.g. fl.example.org:8443", e.getMessage());
  }
}

/** Flat float32 parameter vectors to and from 1 MiB gRPC chunks, with a SHA-256 header that receivers check. */
package org.medfl.common.codec;

/** SHA-256 digests of bytes, parameter vectors and files, and ECDSA signatures. */
package org.medfl.common.crypto;

/** The consortium's certificate authority, participant identities and roles, PEM files and mutual-TLS credentials. */
package org.medfl.common.pki;

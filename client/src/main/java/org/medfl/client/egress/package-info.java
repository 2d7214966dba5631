/** The egress ledger: a record of every message that left the site, so hospital IT can show what went out. */
package org.medfl.client.egress;

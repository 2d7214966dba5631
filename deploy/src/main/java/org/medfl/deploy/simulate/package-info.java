/** fl simulate: a whole federation on one machine, over real sockets with mutual TLS. */
package org.medfl.deploy.simulate;

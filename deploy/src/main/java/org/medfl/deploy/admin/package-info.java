/** Client side of the admin and audit protocol, and export of global models as DL4J files. */
package org.medfl.deploy.admin;

#!/bin/sh
# slapd for the compose trial: loads the seed LDIF on the first start, then serves in the foreground.
# Every path and the port can be changed through the environment (the test suite runs this script).
set -eu
DATA=${LDAP_DATA_DIR:-/var/lib/rostersync-ldap}
HOST=${LDAP_HOST:-0.0.0.0}
PORT=${LDAP_PORT:-1389}
SUFFIX=${LDAP_SUFFIX:-dc=example,dc=com}
SEED=${LDAP_SEED_LDIF:-/seed/sample.ldif}
SECRET=${LDAP_ADMIN_PASSWORD_FILE:-/run/secrets/ldap_admin_password}
SCHEMA=${LDAP_SCHEMA_DIR:-/etc/ldap/schema}
MODULES=${LDAP_MODULE_DIR:-/usr/lib/ldap}
PATH="$PATH:/usr/sbin"

mkdir -p "$DATA/db"
# The password is hashed from its file (never on a command line); one trailing newline is dropped,
# as rostersync does for *File secrets.
umask 077
printf '%s' "$(cat "$SECRET")" > "$DATA/.pw"
HASH=$(slappasswd -T "$DATA/.pw")
rm -f "$DATA/.pw"

cat > "$DATA/slapd.conf" <<CONF
include $SCHEMA/core.schema
include $SCHEMA/cosine.schema
include $SCHEMA/nis.schema
include $SCHEMA/inetorgperson.schema
modulepath $MODULES
moduleload back_mdb
pidfile $DATA/slapd.pid
sizelimit unlimited
database mdb
maxsize 268435456
suffix "$SUFFIX"
rootdn "cn=admin,$SUFFIX"
rootpw $HASH
directory $DATA/db
index objectClass eq
index entryUUID eq
index modifyTimestamp eq
CONF

if [ ! -e "$DATA/db/data.mdb" ]; then
  slapadd -f "$DATA/slapd.conf" -l "$SEED"
fi
exec slapd -f "$DATA/slapd.conf" -h "ldap://$HOST:$PORT/" -d 0

#!/usr/bin/env bash
# The shared store of one test of the storage contract
# (test_store_contract --setup): roles ct_owner (the store's owner), ct_a
# (the tenant gm_a under test) and ct_b (the other tenant, gm_b), made
# once per cluster; the test's schema, owned by ct_owner.
#
#   shared_contract.sh before CONNINFO SCHEMA   roles, schema, and the
#                       tenants' rights on the tables the owner will make
#   shared_contract.sh after CONNINFO SCHEMA    the tenants mapped, as
#                       docs/storage-postgres.md sets a shared store up
#
# CONNINFO is the cluster's, as its superuser.
set -euo pipefail
phase=$1 conninfo=$2 schema=$3
sql() { PGOPTIONS="-c client_min_messages=warning" psql "$conninfo" -XAtq -v ON_ERROR_STOP=1 -c "$1" >/dev/null; }
case $phase in
before)
	sql "DO \$\$ DECLARE r text; BEGIN
		FOREACH r IN ARRAY ARRAY['ct_owner', 'ct_a', 'ct_b'] LOOP
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
				EXECUTE format('CREATE ROLE %I LOGIN', r);
			END IF;
		END LOOP; END \$\$;
	     DROP SCHEMA IF EXISTS $schema CASCADE;
	     CREATE SCHEMA $schema AUTHORIZATION ct_owner;
	     GRANT USAGE ON SCHEMA $schema TO ct_a, ct_b;
	     ALTER DEFAULT PRIVILEGES FOR ROLE ct_owner IN SCHEMA $schema
		GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ct_a, ct_b"
	;;
after)
	sql "SET search_path = $schema;
	     REVOKE INSERT, UPDATE, DELETE ON peil_meta, peil_tenant,
		peil_public_figures FROM ct_a, ct_b;
	     INSERT INTO peil_tenant VALUES ('ct_a', 'gm_a'), ('ct_b', 'gm_b')"
	;;
*)
	echo "usage: shared_contract.sh before|after CONNINFO SCHEMA" >&2; exit 2
	;;
esac

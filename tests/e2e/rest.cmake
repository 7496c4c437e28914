# REST adapter end to end (#5): the seed capability served against a separate `capstan sandbox`
# process, and the OpenAPI export linted by Spectral.
add_test(NAME e2e.rest.routes_and_faults
  COMMAND node ${CAPSTAN_E2E_DIR}/rest/rest_e2e.test.mjs $<TARGET_FILE:capstan>
          ${PROJECT_SOURCE_DIR}/capabilities/midjourney/image-generation-jobs.yaml)
set_tests_properties(e2e.rest.routes_and_faults PROPERTIES LABELS e2e TIMEOUT 180)

add_test(NAME e2e.rest.export_openapi
  COMMAND node ${CAPSTAN_E2E_DIR}/rest/rest_export.test.mjs $<TARGET_FILE:capstan>
          ${PROJECT_SOURCE_DIR}/capabilities/midjourney/image-generation-jobs.yaml
          ${CAPSTAN_E2E_DIR}/node_modules/.bin/spectral)
set_tests_properties(e2e.rest.export_openapi PROPERTIES LABELS e2e TIMEOUT 180)

# Upstream TLS: verification against --ca-file, host name check, SNI (needs the openssl CLI).
add_test(NAME e2e.rest.upstream_tls
  COMMAND node ${CAPSTAN_E2E_DIR}/rest/rest_tls.test.mjs $<TARGET_FILE:capstan>
          ${PROJECT_SOURCE_DIR}/capabilities/midjourney/image-generation-jobs.yaml)
set_tests_properties(e2e.rest.upstream_tls PROPERTIES LABELS e2e TIMEOUT 120)

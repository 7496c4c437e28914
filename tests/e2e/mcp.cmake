# MCP adapter end-to-end tests (issue #6). The conformance fixture server is test-only.
add_executable(capstan_mcp_conformance_server
  ${CMAKE_CURRENT_LIST_DIR}/mcp_conformance/conformance_server.cpp)
target_link_libraries(capstan_mcp_conformance_server PRIVATE capstan_mcp capstan_warnings)
set_target_properties(capstan_mcp_conformance_server PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})

# Transport rules (status codes, headers, sessions, batches by revision, 2026-07-28 headers, stdio
# framing) against the fixture server.
add_test(NAME e2e.mcp.transport
  COMMAND node ${CMAKE_CURRENT_LIST_DIR}/mcp/transport_test.mjs
          $<TARGET_FILE:capstan_mcp_conformance_server>)
set_tests_properties(e2e.mcp.transport PROPERTIES LABELS e2e TIMEOUT 120)

# The official conformance suite (@modelcontextprotocol/conformance 0.1.16, active scenarios)
# against the fixture server; needs Node 22, which npx fetches (scripts/setup.sh warms the cache).
add_test(NAME e2e.mcp.conformance
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/mcp_conformance/run_conformance.sh
          $<TARGET_FILE:capstan_mcp_conformance_server> ${CMAKE_CURRENT_BINARY_DIR}/mcp-conformance)
set_tests_properties(e2e.mcp.conformance PROPERTIES LABELS e2e TIMEOUT 300)

# The official TypeScript SDK client against `capstan serve --sandbox` (Streamable HTTP and
# stdio), raw exchanges under the other revisions, every message checked against the JSON schema
# of its revision in ../shared/reference/mcp-schema.
add_test(NAME e2e.mcp.sdk_client
  COMMAND node ${CMAKE_CURRENT_LIST_DIR}/mcp/sdk_client_test.mjs $<TARGET_FILE:capstan>
          ${PROJECT_SOURCE_DIR}/capabilities/midjourney/image-generation-jobs.yaml
          ${CAPSTAN_SHARED_DIR})
set_tests_properties(e2e.mcp.sdk_client PROPERTIES LABELS e2e TIMEOUT 120)

# MCP Inspector v2 CLI (--strict lint, both eras) against `capstan serve --sandbox`.
add_test(NAME e2e.mcp.inspector
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/mcp/inspector_test.sh $<TARGET_FILE:capstan>
          ${PROJECT_SOURCE_DIR}/capabilities/midjourney/image-generation-jobs.yaml)
set_tests_properties(e2e.mcp.inspector PROPERTIES LABELS e2e TIMEOUT 300)

# notifications/cancelled aborts the upstream call of a tools/call in flight.
add_test(NAME e2e.mcp.cancellation
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/mcp/cancel_test.sh $<TARGET_FILE:capstan>
          ${PROJECT_SOURCE_DIR}/capabilities/midjourney/image-generation-jobs.yaml)
set_tests_properties(e2e.mcp.cancellation PROPERTIES LABELS e2e TIMEOUT 60)

# `capstan serve` end to end (#7).
add_test(NAME e2e.serve.secret_never_leaks
  COMMAND ${CAPSTAN_E2E_DIR}/serve_secret_test.sh $<TARGET_FILE:capstan>
          ${PROJECT_SOURCE_DIR}/capabilities/midjourney/image-generation-jobs.yaml)
set_tests_properties(e2e.serve.secret_never_leaks PROPERTIES LABELS e2e TIMEOUT 120)

# The README's main command, run exactly as written (it builds the release preset, so it only runs
# from the release build that the README and CI use). It listens on the capability's own ports
# 8080/9090/9464, so no other test may run at the same time.
if(CMAKE_BINARY_DIR STREQUAL "${PROJECT_SOURCE_DIR}/build/release")
  add_test(NAME e2e.serve.readme_main_job
    COMMAND node ${CAPSTAN_E2E_DIR}/main_job.test.mjs ${PROJECT_SOURCE_DIR})
  set_tests_properties(e2e.serve.readme_main_job PROPERTIES LABELS e2e TIMEOUT 600 RUN_SERIAL TRUE)
endif()

# Two instances sharing the MCP session key behind nginx (DESIGN.md, "Where users outgrow one
# machine").
add_test(NAME e2e.serve.scale_out_behind_nginx
  COMMAND ${CAPSTAN_E2E_DIR}/scale_out_test.sh $<TARGET_FILE:capstan> ${PROJECT_SOURCE_DIR})
set_tests_properties(e2e.serve.scale_out_behind_nginx PROPERTIES LABELS e2e TIMEOUT 120)

# `serve --stdio` under SIGTERM with a call in flight, and with stdout closed by the client.
add_test(NAME e2e.serve.stdio_signals
  COMMAND node ${CAPSTAN_E2E_DIR}/stdio_signals.test.mjs $<TARGET_FILE:capstan>
          ${PROJECT_SOURCE_DIR}/capabilities/midjourney/image-generation-jobs.yaml)
set_tests_properties(e2e.serve.stdio_signals PROPERTIES LABELS e2e TIMEOUT 60)

# `capstan validate` end-to-end and the agreement with the official Naftiko schemas (issue #2).
add_executable(capstan_yaml_to_json ${CMAKE_CURRENT_LIST_DIR}/spec/yaml_to_json.cpp)
target_link_libraries(capstan_yaml_to_json PRIVATE capstan_spec capstan_warnings)
set_target_properties(capstan_yaml_to_json PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})

add_test(NAME e2e_spec_validate_cli
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/spec/validate_cli.sh $<TARGET_FILE:capstan>
          ${PROJECT_SOURCE_DIR})
set_tests_properties(e2e_spec_validate_cli PROPERTIES LABELS e2e TIMEOUT 60)

add_test(NAME e2e_spec_schema_agreement
  COMMAND node ${CMAKE_CURRENT_LIST_DIR}/spec/schema_agreement.mjs $<TARGET_FILE:capstan>
          $<TARGET_FILE:capstan_yaml_to_json> ${PROJECT_SOURCE_DIR} ${CAPSTAN_SHARED_DIR})
set_tests_properties(e2e_spec_schema_agreement PROPERTIES LABELS e2e TIMEOUT 120)

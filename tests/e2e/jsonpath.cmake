# `capstan jsonpath` end-to-end (issue #4).
add_test(NAME e2e_jsonpath_cli
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/jsonpath_cli.sh $<TARGET_FILE:capstan>)
set_tests_properties(e2e_jsonpath_cli PROPERTIES LABELS e2e TIMEOUT 60)

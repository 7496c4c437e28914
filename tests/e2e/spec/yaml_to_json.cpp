// Test helper: prints a YAML file as JSON (typed like capstan's loader), exit 1 if unparsable.
#include <iostream>

#include "spec/loader.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: capstan_yaml_to_json FILE\n";
    return 2;
  }
  const std::optional<std::string> json = capstan::spec::yamlFileAsJson(argv[1]);
  if (!json) return 1;
  std::cout << *json << '\n';
  return 0;
}

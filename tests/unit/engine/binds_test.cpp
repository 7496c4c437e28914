// Binds (DESIGN.md "Semantics" 3), with the inputs that fool a naive engine: the environment
// variable is named by the map value (not the key), relative files resolve against the base
// directory, and an error names the variable but never shows a secret.
#include "engine/binds.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "engine/startup_error.hpp"

namespace capstan::engine {
namespace {

spec::Bind bind(std::string ns, std::vector<std::pair<std::string, std::string>> keys,
                std::optional<std::string> location = std::nullopt) {
  spec::Bind out;
  out.namespace_ = std::move(ns);
  out.keys = std::move(keys);
  out.location = std::move(location);
  return out;
}

EnvLookup env(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

class BindFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("capstan-binds-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::filesystem::path dir_;
};

TEST(Binds, EnvironmentVariableIsNamedByTheMapValueNotTheKey) {
  auto table = BindTable::resolve({bind("env", {{"API_TOKEN", "VENDOR_TOKEN"}})},
                                  env({{"VENDOR_TOKEN", "v-1"}, {"API_TOKEN", "wrong"}}), {});
  EXPECT_EQ(table.find("API_TOKEN"), "v-1");
  EXPECT_EQ(table.find("env.API_TOKEN"), "v-1") << "{{<bind-namespace>.<KEY>}}";
  EXPECT_FALSE(table.find("VENDOR_TOKEN")) << "the provider key is not a template variable";
}

TEST(Binds, ValueWithALineBreakIsRefusedWithoutShowingIt) {
  // RFC 9110 §5.5: no CR, LF or NUL in a field value; "t\r\nX-Evil: 1" would inject a header.
  for (const std::string& value :
       {std::string("tok\r\nX-Evil: 1"), std::string("tok\n"), std::string("to\0k", 4)}) {
    try {
      BindTable::resolve({bind("env", {{"K", "VENDOR_K"}})}, env({{"VENDOR_K", value}}), {});
      ADD_FAILURE() << "a value with CR, LF or NUL was accepted";
    } catch (const StartupError& error) {
      EXPECT_NE(std::string(error.what()).find("VENDOR_K"), std::string::npos) << error.what();
      EXPECT_EQ(std::string(error.what()).find("tok"), std::string::npos) << error.what();
    }
  }
}

TEST(Binds, EmptyEnvironmentVariableIsMissing) {
  // An empty secret would become an empty Authorization header: refuse it at startup.
  EXPECT_THROW(BindTable::resolve({bind("env", {{"K", "K"}})}, env({{"K", ""}}), {}), StartupError);
}

TEST_F(BindFiles, RelativeFileResolvesAgainstTheBaseDirectory) {
  write("secrets.yaml", "vendor_token: f-1\nother: o-2\n");
  auto table = BindTable::resolve(
      {bind("vault", {{"TOKEN", "vendor_token"}}, std::string("file:///./secrets.yaml"))}, env({}),
      dir_);
  EXPECT_EQ(table.find("TOKEN"), "f-1");
  EXPECT_EQ(table.find("vault.TOKEN"), "f-1");
}

TEST_F(BindFiles, JsonFileIsReadToo) {
  write("secrets.json", R"({"vendor_token": "j-1"})");
  auto table = BindTable::resolve(
      {bind("s", {{"TOKEN", "vendor_token"}}, "file://" + (dir_ / "secrets.json").string())},
      env({}), {});
  EXPECT_EQ(table.find("TOKEN"), "j-1");
}

TEST_F(BindFiles, MissingKeyNamesTheVariableAndShowsNoSecret) {
  write("secrets.yaml", "present: very-secret-value\n");
  try {
    BindTable::resolve({bind("s", {{"TOKEN", "absent"}}, std::string("file:///./secrets.yaml"))},
                       env({}), dir_);
    FAIL() << "a missing key must stop the start";
  } catch (const StartupError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("TOKEN"), std::string::npos) << message;
    EXPECT_EQ(message.find("very-secret-value"), std::string::npos) << message;
  }
}

TEST(Binds, FileThatDoesNotExistIsAStartupError) {
  EXPECT_THROW(
      BindTable::resolve({bind("s", {{"T", "t"}}, std::string("file:///nonexistent/x.yaml"))},
                         env({}), {}),
      StartupError);
}

TEST(Binds, RedactHidesOverlappingAndRepeatedSecrets) {
  EXPECT_EQ(redact("Bearer abcabc and abc", {"abc"}), "Bearer ****** and ***");
  EXPECT_EQ(redact("nothing here", {""}), "nothing here") << "an empty secret redacts nothing";
}

}  // namespace
}  // namespace capstan::engine

// The configuration file reader: every setting keeps its line, and a key
// that no program of the suite knows is an error naming file, line and
// section.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "base/error.hpp"
#include "cli/config_file.hpp"
#include "cli/programs.hpp"
#include "deliver/mbox_deliver.hpp"

namespace {

using namespace orou;
using namespace orou::cli;

ConfigFile parse(const std::string& text) {
    std::istringstream in(text);
    return parse_config_file(in, "orouboros.conf");
}

std::vector<std::string> problems(const std::string& text) {
    return config_file_problems(parse(text), deliver::kSpec, "mbox-deliver", deliver::options());
}

TEST(ConfigFile, KeepsSectionKeyValueAndLineOfEachSetting) {
    auto f = parse("# comment\nlog-level = WARNING\n\n[smtpd]\n  hostname=mx.example   # the name\n");
    ASSERT_EQ(f.settings.size(), 2u);
    EXPECT_EQ(f.settings[0].section, "");
    EXPECT_EQ(f.settings[0].key, "log-level");
    EXPECT_EQ(f.settings[0].value, "WARNING");
    EXPECT_EQ(f.settings[0].line, 2);
    EXPECT_EQ(f.settings[1].section, "smtpd");
    EXPECT_EQ(f.settings[1].key, "hostname");
    EXPECT_EQ(f.settings[1].value, "mx.example");
    EXPECT_EQ(f.settings[1].line, 5);
    ASSERT_EQ(f.sections.size(), 1u);
    EXPECT_EQ(f.sections[0].line, 4);
}

TEST(ConfigFile, AnEmptyValueAndAValueWithBlanksAndEqualSignsAreKept) {
    auto f = parse("a =\r\nb = x y=z\n");
    EXPECT_EQ(f.settings[0].value, "");
    EXPECT_EQ(f.settings[1].value, "x y=z");
}

TEST(ConfigFile, ALineThatIsNoSettingIsAnErrorNamingFileAndLine) {
    try {
        parse("a = 1\nno equal sign\n");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("orouboros.conf:2: ", 0), 0u) << e.what();
    }
    EXPECT_THROW(parse("[smtpd\n"), ConfigError);
    EXPECT_THROW(parse("[ ]\n"), ConfigError);
    EXPECT_THROW(parse(" = value\n"), ConfigError);
}

TEST(ConfigFile, AMissingFileIsASysError) { EXPECT_THROW(read_config_file("/nonexistent/orouboros.conf"), SysError); }

TEST(ConfigFileProblems, AKnownFileHasNone) {
    EXPECT_TRUE(problems("log-level = INFO\nmax-hops = 30\n[smtpd]\nhostname = x\n[relay]\nmx = yes\n"
                         "[mbox-deliver]\nmboxdir = /m\n[orouboros]\nsingle-user = yes\n")
                    .empty());
}

TEST(ConfigFileProblems, AnUnknownTopLevelKeyNamesFileLineAndTopLevel) {
    auto p = problems("log-level = INFO\nhostnam = x\n");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0], "orouboros.conf:2: top level unknown key 'hostnam'");
}

TEST(ConfigFileProblems, AnUnknownKeyInAnySectionNamesItsSection) {
    auto p = problems("[smtpd]\nhostnam = x\n[mbox-deliver]\nmbox-dir = /m\n[forward]\nhots = h\n");
    ASSERT_EQ(p.size(), 3u);
    EXPECT_EQ(p[0], "orouboros.conf:2: [smtpd] unknown key 'hostnam'");
    EXPECT_EQ(p[1], "orouboros.conf:4: [mbox-deliver] unknown key 'mbox-dir'");
    EXPECT_EQ(p[2], "orouboros.conf:6: [forward] unknown key 'hots'");
}

TEST(ConfigFileProblems, AKeyOfAnotherProgramInASectionIsUnknownThere) {
    auto p = problems("[smtpd]\nmboxdir = /m\n");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0], "orouboros.conf:2: [smtpd] unknown key 'mboxdir'");
}

TEST(ConfigFileProblems, ASectionThatNoProgramReadsIsAnError) {
    auto p = problems("[smptd]\n");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0], "orouboros.conf:1: unknown section [smptd]");
}

TEST(ConfigFileProblems, ADeprecatedNameIsReadInItsSectionButRefusedAtTheTopLevel) {
    EXPECT_TRUE(problems("[mbox-deliver]\ntimeout = 30\n[forward]\ntimeout = 60\n[authcheck]\ntimeout = 9\n").empty());
    auto p = problems("timeout = 30\n");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("orouboros.conf:1: top level deprecated key 'timeout'"), std::string::npos) << p[0];
    EXPECT_NE(p[0].find("idle-timeout in [mbox-deliver]"), std::string::npos) << p[0];
    EXPECT_NE(p[0].find("upstream-timeout in [forward]"), std::string::npos) << p[0];
}

TEST(ConfigFileProblems, EveryProgramOfTheSuiteIsInTheRegistryWithItsOwnSection) {
    std::vector<std::string> sections;
    for (const auto& p : programs()) sections.push_back(p.spec->section);
    EXPECT_EQ(sections, (std::vector<std::string>{"orouboros", "smtpd", "authcheck", "mkcreds", "mbox-deliver",
                                                  "forward", "dkim-sign", "verify"}));
}

}  // namespace

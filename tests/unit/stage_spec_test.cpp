// Stage specs: parsed once into a typed value, quoted words for blanks.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "io/stage_spec.hpp"

namespace {

using namespace orou;
using namespace orou::io;
using Words = std::vector<std::string>;

TEST(StageSpec, ExecSplitsItsWordsOnBlanks) {
    auto s = parse_stage_spec("exec:/usr/bin/orouboros-mbox-deliver  --lmtp\t--mboxdir /var/mail");
    EXPECT_EQ(s.kind, StageKind::Exec);
    EXPECT_EQ(s.argv, (Words{"/usr/bin/orouboros-mbox-deliver", "--lmtp", "--mboxdir", "/var/mail"}));
}

TEST(StageSpec, ExecKeepsBlanksInsideQuotes) {
    auto s = parse_stage_spec(R"(exec:"/opt/my dir/orouboros-mbox-deliver" --lmtp --mboxdir "/var/mail box")");
    EXPECT_EQ(s.argv, (Words{"/opt/my dir/orouboros-mbox-deliver", "--lmtp", "--mboxdir", "/var/mail box"}));
    EXPECT_EQ(parse_stage_spec(R"(exec:'a b'c "d\"e" f\ g)").argv, (Words{"a bc", "d\"e", "f g"}));
    EXPECT_EQ(parse_stage_spec(R"(exec:prog "" '')").argv, (Words{"prog", "", ""}));
}

TEST(StageSpec, AnUnclosedQuoteOrNoProgramIsAConfigError) {
    EXPECT_THROW(parse_stage_spec(R"(exec:"/opt/my dir/prog)"), ConfigError);
    EXPECT_THROW(parse_stage_spec("exec:'a"), ConfigError);
    EXPECT_THROW(parse_stage_spec("exec:   "), ConfigError);
}

TEST(StageSpec, UnixTakesTheRestAsThePathBlanksToo) {
    auto s = parse_stage_spec("unix:/run/my dir/deliver.sock");
    EXPECT_EQ(s.kind, StageKind::Unix);
    EXPECT_EQ(s.path, "/run/my dir/deliver.sock");
    EXPECT_THROW(parse_stage_spec("unix:"), ConfigError);
    EXPECT_THROW(parse_stage_spec("unix:/" + std::string(200, 'x')), ConfigError);
}

TEST(StageSpec, LmtpAndTcpNeedHostAndNumericPort) {
    auto s = parse_stage_spec("lmtp:[::1]:24");
    EXPECT_EQ(s.kind, StageKind::Tcp);
    EXPECT_EQ(s.host, "::1");
    EXPECT_EQ(s.port, "24");
    EXPECT_EQ(parse_stage_spec("tcp:10.8.0.2:2424").host, "10.8.0.2");
    EXPECT_THROW(parse_stage_spec("lmtp:host"), ConfigError);
    EXPECT_THROW(parse_stage_spec("lmtp::24"), ConfigError);
    EXPECT_THROW(parse_stage_spec("lmtp:host:smtp"), ConfigError);
    EXPECT_THROW(parse_stage_spec("smtp:host:25"), ConfigError);
}

TEST(StageSpec, TheErrorNamesTheSpec) {
    try {
        parse_stage_spec("exec:\"x");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("bad stage \"exec:\"x\": ", 0), 0u) << e.what();
    }
}

TEST(StageSpec, ExecSpecQuotesWhatParsingGivesBack) {
    const Words argv{"/opt/my dir/prog", "it's", "a\\b", "", "plain", "\"q\""};
    const std::string spec = exec_spec(argv);
    EXPECT_EQ(spec.substr(0, 24), "exec:'/opt/my dir/prog' ");
    EXPECT_EQ(parse_stage_spec(spec).argv, argv);
    EXPECT_EQ(quote_word("plain"), "plain");
    EXPECT_EQ(split_quoted(quote_word("a b") + " " + quote_word("c")), (Words{"a b", "c"}));
}

}  // namespace

#include "core/models/ArchitectureDetector.h"
#include "core/models/ResNeSt.h"
#include "tests/models/ModelTestSupport.h"

#include <gtest/gtest.h>

using namespace resnest;
using resnest::test::stateDictOf;

TEST(ArchitectureDetectorTest, FindsEveryRegistryEntryAmongTheCandidates) {
    for (const auto& name : ResNeStConfig::knownNames()) {
        const ResNeStConfig c = ResNeStConfig::byName(name);
        if (c.layers[2] > 6)
            continue; // the deep ones are covered by the parity suite; building them here is slow
        DetectedArchitecture d = ArchitectureDetector::detect(stateDictOf(c), name + "-0123abcd.pth");
        EXPECT_FALSE(d.custom) << name;
        EXPECT_FALSE(d.ambiguous) << name; // the file name settles it
        EXPECT_EQ(d.config.name, name);
        EXPECT_NE(std::find(d.candidates.begin(), d.candidates.end(), name), d.candidates.end());
    }
}

TEST(ArchitectureDetectorTest, ReportsWhatTheWeightsCannotTell) {
    // resnest50 and resnest50_fast_2s1x64d differ only in where the parameter-free avd pool sits.
    DetectedArchitecture d = ArchitectureDetector::detect(stateDictOf(ResNeStConfig::byName("resnest50")), "weights.pth");
    EXPECT_TRUE(d.ambiguous);
    EXPECT_NE(std::find(d.candidates.begin(), d.candidates.end(), "resnest50_fast_2s1x64d"), d.candidates.end());
    // Two names for one network are not an ambiguity.
    DetectedArchitecture e = ArchitectureDetector::detect(stateDictOf(ResNeStConfig::byName("resnest14d")));
    EXPECT_FALSE(e.ambiguous);
}

TEST(ArchitectureDetectorTest, ReadsCustomShapesAndPrefixes) {
    ResNeStConfig c = ResNeStConfig::byName("resnest14d");
    c.basePlanes = 16;
    c.bottleneckWidth = 32;
    c.cardinality = 2;
    c.radix = 4;
    c.stemWidth = 8;
    c.numClasses = 10;
    c.layers = {1, 2, 1, 1};
    DetectedArchitecture d = ArchitectureDetector::detect(stateDictOf(c, "module."));
    EXPECT_TRUE(d.custom);
    EXPECT_EQ(d.prefix, "module.");
    EXPECT_TRUE(d.config.sameWeightLayout(c));
}

TEST(ArchitectureDetectorTest, RejectsOtherNetworks) {
    io::TensorMap t{{"features.0.weight", torch::zeros({8, 3, 3, 3})}};
    EXPECT_THROW(ArchitectureDetector::detect(t), std::runtime_error);
    io::TensorMap bad = stateDictOf(ResNeStConfig::byName("resnest14d"));
    bad["layer1.0.conv2.fc1.weight"] = torch::zeros({32, 7, 1, 1}); // 64 channels cannot form 7-wide groups
    EXPECT_THROW(ArchitectureDetector::detect(bad), std::runtime_error);
}

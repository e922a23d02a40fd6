#include "core/detection/DetectionCheckpointLayout.h"

#include "tests/layouts/KeyList.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using namespace resnest;

namespace {

const char* const kTvMaskV1 = "det_torchvision_maskrcnn_v1_resnest50";
const char* const kTvMaskV2 = "det_torchvision_maskrcnn_v2_resnest50";
const char* const kTvFasterV1 = "det_torchvision_fasterrcnn_v1_resnest50";
const char* const kMmFaster = "det_mmdet_faster_rcnn_s50_fpn";
const char* const kMmMask = "det_mmdet_mask_rcnn_s50_fpn";
const char* const kD2Faster = "det_d2_faster_rcnn_ResNeSt_50_FPN";
const char* const kD2Mask = "det_d2_mask_rcnn_ResNeSt_50_FPN";

std::string conversionError(const io::TensorMap& t) {
    DetectorConfig config;
    try {
        DetectionCheckpointLayout::toTorchvision(t, config);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

std::string detectionError(const io::TensorMap& t) {
    try {
        DetectionCheckpointLayout::detect(t);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

ConvertedCheckpoint convertsToCanonical(const std::string& name, DetectorConfig& config) {
    ConvertedCheckpoint c = DetectionCheckpointLayout::toTorchvision(test::readKeyList(name), config);
    EXPECT_EQ(test::shapeDifferences(c.tensors, test::readKeyList(name + ".canonical")), "") << name;
    return c;
}

// Replaces the class-dependent tensors with small ones: `k` foreground classes over 2 features, row r of
// the classifier holding r, the box regression rows and mask channels holding 100 + their index.
void smallClassTensors(io::TensorMap& t, const std::string& cls, const std::string& reg,
                       const std::string& maskLogits, int64_t k, bool agnostic = false) {
    t[cls + ".weight"] = torch::arange(k + 1, torch::kFloat).unsqueeze(1).repeat({1, 2});
    t[cls + ".bias"] = torch::arange(k + 1, torch::kFloat);
    const int64_t rows = agnostic ? 4 : 4 * k;
    t[reg + ".weight"] = (100 + torch::arange(rows, torch::kFloat)).unsqueeze(1).repeat({1, 2});
    t[reg + ".bias"] = 100 + torch::arange(rows, torch::kFloat);
    if (!maskLogits.empty()) {
        const int64_t channels = agnostic ? 1 : k;
        t[maskLogits + ".weight"] =
            (100 + torch::arange(channels, torch::kFloat)).view({channels, 1, 1, 1}).repeat({1, 3, 1, 1});
        t[maskLogits + ".bias"] = 100 + torch::arange(channels, torch::kFloat);
    }
}

void expectBackgroundFirst(const io::TensorMap& c, int64_t k) {
    const torch::Tensor cls = c.at("roi_heads.box_predictor.cls_score.bias");
    ASSERT_EQ(cls.size(0), k + 1);
    EXPECT_EQ(cls[0].item<float>(), float(k)); // the background was the last row
    for (int64_t i = 1; i <= k; ++i)
        EXPECT_EQ(cls[i].item<float>(), float(i - 1));
    EXPECT_TRUE(torch::equal(c.at("roi_heads.box_predictor.cls_score.weight").select(1, 1), cls));

    const torch::Tensor reg = c.at("roi_heads.box_predictor.bbox_pred.weight");
    ASSERT_EQ(reg.size(0), 4 * (k + 1));
    EXPECT_TRUE(torch::equal(reg.narrow(0, 0, 4), torch::zeros({4, 2})));
    EXPECT_TRUE(
        torch::equal(reg.narrow(0, 4, 4 * k).select(1, 0), 100 + torch::arange(4 * k, torch::kFloat)));
    const torch::Tensor regBias = c.at("roi_heads.box_predictor.bbox_pred.bias");
    EXPECT_TRUE(torch::equal(regBias.narrow(0, 0, 4), torch::zeros({4})));

    if (!c.count("roi_heads.mask_predictor.mask_fcn_logits.weight"))
        return;
    const torch::Tensor m = c.at("roi_heads.mask_predictor.mask_fcn_logits.weight");
    ASSERT_EQ(m.size(0), k + 1);
    EXPECT_TRUE(torch::equal(m[0], torch::zeros({3, 1, 1})));
    for (int64_t i = 1; i <= k; ++i)
        EXPECT_EQ(m[i][2][0][0].item<float>(), 100.0f + float(i - 1));
    EXPECT_EQ(c.at("roi_heads.mask_predictor.mask_fcn_logits.bias")[0].item<float>(), 0.0f);
}

void expectMmDetectron2Flags(const DetectorConfig& config) {
    EXPECT_FALSE(config.roundAnchors);
    EXPECT_TRUE(config.nominalAnchorStrides);
    EXPECT_TRUE(config.roiAligned);
    EXPECT_EQ(config.boxSamplingRatio, 0);
    EXPECT_EQ(config.maskSamplingRatio, 0);
    EXPECT_EQ(config.maskPaste, DetectorConfig::MaskPaste::GridSample);
    EXPECT_EQ(config.rpnConvDepth, 1);
    EXPECT_EQ(config.boxHeadConvs, 4);
    EXPECT_TRUE(config.boxHeadNorm);
    EXPECT_DOUBLE_EQ(config.boxMinSize, 0.0);
    EXPECT_FALSE(config.backbone.firstBlockAvd);
    EXPECT_DOUBLE_EQ(config.pixelScale, 1.0);
    EXPECT_FALSE(config.bgr);
    EXPECT_DOUBLE_EQ(config.mean[0], 123.68);
    EXPECT_DOUBLE_EQ(config.std[0], 58.393);
    EXPECT_EQ(config.minSize, 800);
    EXPECT_EQ(config.maxSize, 1333);
    EXPECT_EQ(config.dataset, "coco80");
}

} // namespace

TEST(DetectionCheckpointLayoutTest, DetectsEachUpstreamLayout) {
    for (const char* name : {kTvMaskV1, kTvMaskV2, kTvFasterV1})
        EXPECT_EQ(DetectionCheckpointLayout::detect(test::readKeyList(name)), "torchvision") << name;
    for (const char* name : {kMmFaster, kMmMask})
        EXPECT_EQ(DetectionCheckpointLayout::detect(test::readKeyList(name)), "mmdetection") << name;
    for (const char* name : {kD2Faster, kD2Mask})
        EXPECT_EQ(DetectionCheckpointLayout::detect(test::readKeyList(name)), "detectron2") << name;
}

TEST(DetectionCheckpointLayoutTest, RefusesClassifierAndSegmenterCheckpoints) {
    const std::string cls = detectionError(test::readKeyList("cls_official_resnest50"));
    EXPECT_NE(cls.find("classification checkpoint"), std::string::npos) << cls;
    EXPECT_NE(cls.find("proposal_generator"), std::string::npos) << cls; // says what it looked for
    const std::string seg = detectionError(test::readKeyList("seg_mmseg_deeplabv3_s50_ade"));
    EXPECT_NE(seg.find("segmentation checkpoint"), std::string::npos) << seg;
    EXPECT_NE(detectionError({}), "");
}

TEST(DetectionCheckpointLayoutTest, TorchvisionPassesThroughWithFlagsFromKeys) {
    struct Case {
        const char* list;
        bool v2, mask;
    };
    for (const Case& k :
         {Case{kTvMaskV1, false, true}, Case{kTvMaskV2, true, true}, Case{kTvFasterV1, false, false}}) {
        const io::TensorMap in = test::readKeyList(k.list);
        DetectorConfig config;
        config.roiAligned = true; // stale values from an earlier load must be reset
        config.roundAnchors = false;
        ConvertedCheckpoint c = DetectionCheckpointLayout::toTorchvision(in, config);
        EXPECT_EQ(c.layout, "torchvision");
        ASSERT_EQ(c.tensors.size(), in.size());
        for (const auto& [key, t] : in)
            EXPECT_TRUE(c.tensors.at(key).is_same(t)) << key;
        EXPECT_EQ(config.fpnNorm, k.v2) << k.list;
        EXPECT_EQ(config.rpnConvDepth, k.v2 ? 2 : 1) << k.list;
        EXPECT_EQ(config.boxHeadConvs, k.v2 ? 4 : 0) << k.list;
        EXPECT_EQ(config.boxHeadNorm, k.v2) << k.list;
        EXPECT_EQ(config.mask, k.mask) << k.list;
        EXPECT_EQ(config.maskHeadNorm, k.v2 && k.mask) << k.list;
        EXPECT_TRUE(config.roundAnchors);
        EXPECT_FALSE(config.nominalAnchorStrides);
        EXPECT_FALSE(config.roiAligned);
        EXPECT_EQ(config.boxSamplingRatio, 2);
        EXPECT_EQ(config.maskPaste, DetectorConfig::MaskPaste::Torchvision);
        EXPECT_TRUE(config.backbone.firstBlockAvd);
        EXPECT_DOUBLE_EQ(config.pixelScale, 1.0 / 255.0);
        EXPECT_EQ(config.dataset, "coco");
    }
}

TEST(DetectionCheckpointLayoutTest, MmdetectionConvertsToCanonicalKeys) {
    for (const char* name : {kMmFaster, kMmMask}) {
        DetectorConfig config;
        ConvertedCheckpoint c = convertsToCanonical(name, config);
        EXPECT_EQ(c.layout, "mmdetection");
        EXPECT_EQ(config.layout, "mmdetection");
        EXPECT_FALSE(config.fpnNorm);
        EXPECT_EQ(config.mask, name == std::string(kMmMask));
        if (config.mask) {
            EXPECT_TRUE(config.maskHeadNorm);
            EXPECT_EQ(config.maskHeadConvs, 4);
        }
        expectMmDetectron2Flags(config);
        EXPECT_TRUE(c.ignoredKeys.empty());
    }
}

TEST(DetectionCheckpointLayoutTest, Detectron2ConvertsToCanonicalKeys) {
    for (const char* name : {kD2Faster, kD2Mask}) {
        DetectorConfig config;
        ConvertedCheckpoint c = convertsToCanonical(name, config);
        EXPECT_EQ(c.layout, "detectron2");
        EXPECT_TRUE(config.fpnNorm);
        EXPECT_EQ(config.mask, name == std::string(kD2Mask));
        EXPECT_EQ(config.maskHeadNorm, config.mask);
        expectMmDetectron2Flags(config);
        // The persistent cell-anchor buffers of this detectron2 version are derived, not loaded.
        ASSERT_EQ(c.ignoredKeys.size(), 5u);
        EXPECT_EQ(c.ignoredKeys[0], "proposal_generator.anchor_generator.cell_anchors.0");
    }
}

TEST(DetectionCheckpointLayoutTest, RenamedTensorsAreTheUpstreamOnes) {
    const io::TensorMap mm = test::readKeyList(kMmMask);
    DetectorConfig config;
    ConvertedCheckpoint c = DetectionCheckpointLayout::toTorchvision(mm, config);
    const std::pair<const char*, const char*> pairs[] = {
        {"backbone.body.conv1.6.weight", "backbone.stem.6.weight"},
        {"backbone.body.bn1.weight", "backbone.stem.7.weight"},
        {"backbone.body.layer2.0.downsample.1.weight", "backbone.layer2.0.downsample.1.weight"},
        {"backbone.fpn.inner_blocks.3.0.bias", "neck.lateral_convs.3.conv.bias"},
        {"backbone.fpn.layer_blocks.0.0.weight", "neck.fpn_convs.0.conv.weight"},
        {"rpn.head.conv.0.0.weight", "rpn_head.rpn_conv.weight"},
        {"rpn.head.cls_logits.weight", "rpn_head.rpn_cls.weight"},
        {"roi_heads.box_head.2.1.running_mean", "roi_head.bbox_head.shared_convs.2.bn.running_mean"},
        {"roi_heads.box_head.5.weight", "roi_head.bbox_head.shared_fcs.0.weight"},
        {"roi_heads.mask_head.3.0.weight", "roi_head.mask_head.convs.3.conv.weight"},
        {"roi_heads.mask_predictor.conv5_mask.weight", "roi_head.mask_head.upsample.weight"}};
    for (const auto& [canonical, upstream] : pairs)
        EXPECT_TRUE(c.tensors.at(canonical).is_same(mm.at(upstream))) << canonical;

    const io::TensorMap d2 = test::readKeyList(kD2Mask);
    c = DetectionCheckpointLayout::toTorchvision(d2, config);
    const std::pair<const char*, const char*> d2pairs[] = {
        {"backbone.body.conv1.4.running_var", "backbone.bottom_up.stem.conv1_2.norm.running_var"},
        {"backbone.body.bn1.bias", "backbone.bottom_up.stem.conv1_3.norm.bias"},
        {"backbone.body.layer4.0.downsample.2.weight", "backbone.bottom_up.res5.0.shortcut.norm.weight"},
        {"backbone.body.layer3.5.conv2.fc1.bias", "backbone.bottom_up.res4.5.conv2.fc1.bias"},
        {"backbone.fpn.inner_blocks.0.1.weight", "backbone.fpn_lateral2.norm.weight"},
        {"backbone.fpn.layer_blocks.3.0.weight", "backbone.fpn_output5.weight"},
        {"rpn.head.bbox_pred.bias", "proposal_generator.rpn_head.anchor_deltas.bias"},
        {"roi_heads.box_head.0.0.weight", "roi_heads.box_head.conv1.weight"},
        {"roi_heads.box_head.5.bias", "roi_heads.box_head.fc1.bias"},
        {"roi_heads.mask_head.1.1.weight", "roi_heads.mask_head.mask_fcn2.norm.weight"},
        {"roi_heads.mask_predictor.conv5_mask.bias", "roi_heads.mask_head.deconv.bias"}};
    for (const auto& [canonical, upstream] : d2pairs)
        EXPECT_TRUE(c.tensors.at(canonical).is_same(d2.at(upstream))) << canonical;
}

TEST(DetectionCheckpointLayoutTest, MmdetectionBackgroundMovesFirstAndGetsZeroRows) {
    io::TensorMap t = test::readKeyList(kMmMask);
    smallClassTensors(t, "roi_head.bbox_head.fc_cls", "roi_head.bbox_head.fc_reg",
                      "roi_head.mask_head.conv_logits", 3);
    DetectorConfig config;
    expectBackgroundFirst(DetectionCheckpointLayout::toTorchvision(t, config).tensors, 3);
    EXPECT_EQ(config.dataset, "");
}

TEST(DetectionCheckpointLayoutTest, Detectron2BackgroundMovesFirstAndGetsZeroRows) {
    io::TensorMap t = test::readKeyList(kD2Mask);
    smallClassTensors(t, "roi_heads.box_predictor.cls_score", "roi_heads.box_predictor.bbox_pred",
                      "roi_heads.mask_head.predictor", 3);
    DetectorConfig config;
    expectBackgroundFirst(DetectionCheckpointLayout::toTorchvision(t, config).tensors, 3);
}

TEST(DetectionCheckpointLayoutTest, ClassAgnosticRegressionAndMasksAreRepeatedPerClass) {
    io::TensorMap t = test::readKeyList(kMmMask);
    smallClassTensors(t, "roi_head.bbox_head.fc_cls", "roi_head.bbox_head.fc_reg",
                      "roi_head.mask_head.conv_logits", 3, true);
    DetectorConfig config;
    ConvertedCheckpoint c = DetectionCheckpointLayout::toTorchvision(t, config);
    const torch::Tensor reg = c.tensors.at("roi_heads.box_predictor.bbox_pred.bias");
    ASSERT_EQ(reg.size(0), 16);
    for (int64_t cls = 0; cls < 4; ++cls)
        EXPECT_TRUE(torch::equal(reg.narrow(0, 4 * cls, 4), 100 + torch::arange(4, torch::kFloat)));
    EXPECT_EQ(c.tensors.at("roi_heads.mask_predictor.mask_fcn_logits.weight").size(0), 4);
}

TEST(DetectionCheckpointLayoutTest, OldMmdetectionShortcutWithoutPoolIsShifted) {
    // Before v2.8 mmdetection built layer1's shortcut as [conv, BN] (no AvgPool at index 0).
    io::TensorMap t = test::readKeyList(kMmFaster);
    io::TensorMap old;
    const std::string ds = "backbone.layer1.0.downsample.";
    for (const auto& [key, tensor] : t) {
        if (key.rfind(ds + "1.", 0) == 0)
            old[ds + "0." + key.substr(ds.size() + 2)] = tensor;
        else if (key.rfind(ds + "2.", 0) == 0)
            old[ds + "1." + key.substr(ds.size() + 2)] = tensor;
        else
            old[key] = tensor;
    }
    ASSERT_TRUE(old.count(ds + "0.weight"));
    DetectorConfig config;
    ConvertedCheckpoint c = DetectionCheckpointLayout::toTorchvision(old, config);
    EXPECT_EQ(test::shapeDifferences(c.tensors, test::readKeyList(std::string(kMmFaster) + ".canonical")),
              "");
    EXPECT_TRUE(c.tensors.at("backbone.body.layer1.0.downsample.1.weight").is_same(old.at(ds + "0.weight")));
    EXPECT_TRUE(c.tensors.at("backbone.body.layer1.0.downsample.2.running_mean")
                    .is_same(old.at(ds + "1.running_mean")));
}

TEST(DetectionCheckpointLayoutTest, UnknownKeyIsNamed) {
    struct Case {
        const char* list;
        const char* extra;
    };
    for (const Case& k :
         {Case{kMmMask, "roi_head.bbox_head.cls_convs.0.conv.weight"},
          Case{kMmFaster, "neck.fpn_convs.4.conv.weight"},
          Case{kD2Mask, "roi_heads.keypoint_head.conv_fcn1.weight"},
          Case{kD2Faster, "backbone.fpn_output6.weight"}, Case{kTvMaskV2, "roi_heads.box_head.7.weight"}}) {
        io::TensorMap t = test::readKeyList(k.list);
        t[k.extra] = torch::zeros({1});
        const std::string msg = conversionError(t);
        EXPECT_NE(msg.find(k.extra), std::string::npos) << k.list << ": " << msg;
    }
}

TEST(DetectionCheckpointLayoutTest, MissingKeyIsNamed) {
    struct Case {
        const char* list;
        const char* removed;
    };
    for (const Case& k :
         {Case{kMmFaster, "rpn_head.rpn_reg.bias"},
          Case{kMmMask, "roi_head.mask_head.convs.2.bn.running_var"},
          Case{kMmMask, "backbone.layer4.2.bn3.weight"}, Case{kD2Mask, "backbone.fpn_lateral4.norm.bias"},
          Case{kD2Faster, "roi_heads.box_predictor.bbox_pred.bias"},
          Case{kTvMaskV1, "roi_heads.box_head.fc7.bias"}}) {
        io::TensorMap t = test::readKeyList(k.list);
        ASSERT_EQ(t.erase(k.removed), 1u) << k.removed;
        const std::string msg = conversionError(t);
        EXPECT_NE(msg.find("missing"), std::string::npos) << msg;
        EXPECT_NE(msg.find(k.removed), std::string::npos) << k.list << ": " << msg;
    }
}

TEST(DetectionCheckpointLayoutTest, SoftmaxRpnIsRefused) {
    io::TensorMap t = test::readKeyList(kMmFaster);
    t["rpn_head.rpn_cls.weight"] = torch::zeros({6, 256, 1, 1});
    t["rpn_head.rpn_cls.bias"] = torch::zeros({6});
    const std::string msg = conversionError(t);
    EXPECT_NE(msg.find("sigmoid objectness"), std::string::npos) << msg;
}

TEST(DetectionCheckpointLayoutTest, Detectron2PixelStatisticsAreRead) {
    io::TensorMap t = test::readKeyList(kD2Faster);
    t["pixel_mean"] = torch::tensor({103.53, 116.28, 123.675}).view({3, 1, 1});
    t["pixel_std"] = torch::tensor({1.0, 1.0, 1.0}).view({3, 1, 1});
    DetectorConfig config;
    ConvertedCheckpoint c = DetectionCheckpointLayout::toTorchvision(t, config);
    EXPECT_TRUE(config.bgr);
    EXPECT_NEAR(config.mean[0], 103.53, 1e-4); // float32 buffers, as checkpoints store them
    EXPECT_DOUBLE_EQ(config.std[1], 1.0);
    EXPECT_EQ(c.tensors.count("pixel_mean"), 0u);
}

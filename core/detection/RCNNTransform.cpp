#include "core/detection/RCNNTransform.h"

#include <algorithm>
#include <cmath>

namespace resnest {

namespace F = torch::nn::functional;

RCNNTransform::RCNNTransform(const DetectorConfig& config) : config_(config) {}

ImageBatch RCNNTransform::operator()(const std::vector<torch::Tensor>& images) const {
    TORCH_CHECK(!images.empty(), "no images to detect in");
    const auto& c = config_;
    ImageBatch b;
    std::vector<torch::Tensor> resized;
    int64_t maxH = 0, maxW = 0;
    for (const auto& image : images) {
        TORCH_CHECK(image.dim() == 3 && image.size(0) == 3, "expected (3, H, W) images, got ", image.sizes());
        const int64_t h = image.size(1), w = image.size(2);
        TORCH_CHECK(h > 0 && w > 0, "empty image");
        b.originalSizes.emplace_back(h, w);
        torch::Tensor x = c.bgr ? image.flip(0) : image;
        const auto opts = x.options();
        const torch::Tensor mean =
            torch::tensor(std::vector<double>(c.mean.begin(), c.mean.end()), opts).view({3, 1, 1});
        const torch::Tensor std =
            torch::tensor(std::vector<double>(c.std.begin(), c.std.end()), opts).view({3, 1, 1});
        const double toScale = 255.0 * c.pixelScale;
        x = ((toScale == 1.0 ? x : x * toScale) - mean) / std;
        // torchvision computes scale = min(min_size / short side, max_size / long side) in float32, then the
        // output size floor(size * scale) in double (interpolate with recompute_scale_factor=True): 256 / 200
        // rounds below 1.28, so a 200-pixel side becomes 255, not 256. `float / tensor` is
        // Tensor.__rtruediv__, a reciprocal then a product: a 200x264 image at min 160 gets 159 rows, where a
        // division gives 160.
        const float scale = std::min(float(c.minSize) * (1.0f / float(std::min(h, w))),
                                     float(c.maxSize) * (1.0f / float(std::max(h, w))));
        const int64_t oh = int64_t(std::floor(double(h) * double(scale)));
        const int64_t ow = int64_t(std::floor(double(w) * double(scale)));
        x = F::interpolate(x.unsqueeze(0), F::InterpolateFuncOptions()
                                               .size(std::vector<int64_t>{oh, ow})
                                               .mode(torch::kBilinear)
                                               .align_corners(false))[0];
        b.imageSizes.emplace_back(oh, ow);
        maxH = std::max(maxH, oh);
        maxW = std::max(maxW, ow);
        resized.push_back(x);
    }
    const int64_t d = c.sizeDivisible;
    maxH = (maxH + d - 1) / d * d;
    maxW = (maxW + d - 1) / d * d;
    b.batchSize = {maxH, maxW};
    b.tensors = torch::zeros({int64_t(images.size()), 3, maxH, maxW}, resized.front().options());
    for (size_t i = 0; i < resized.size(); ++i)
        b.tensors[int64_t(i)]
            .narrow(1, 0, resized[i].size(1))
            .narrow(2, 0, resized[i].size(2))
            .copy_(resized[i]);
    return b;
}

void RCNNTransform::postprocess(std::vector<ImageDetections>& detections, const ImageBatch& batch,
                                bool pasteMasks) const {
    for (size_t i = 0; i < detections.size(); ++i) {
        auto& d = detections[i];
        const auto [oh, ow] = batch.originalSizes[i];
        const auto [rh, rw] = batch.imageSizes[i];
        // torchvision computes the ratios as float32 tensors.
        const float ratioH = float(oh) / float(rh), ratioW = float(ow) / float(rw);
        auto xy = d.boxes.unbind(1);
        d.boxes = torch::stack(
            {xy[0] * double(ratioW), xy[1] * double(ratioH), xy[2] * double(ratioW), xy[3] * double(ratioH)},
            1);
        if (d.masks.defined() && pasteMasks)
            d.masks = this->pasteMasks(d.masks, d.boxes, oh, ow);
    }
}

torch::Tensor RCNNTransform::pasteMasks(const torch::Tensor& masks, const torch::Tensor& boxes,
                                        int64_t height, int64_t width) const {
    const int64_t k = masks.size(0);
    torch::Tensor out = torch::zeros({k, 1, height, width}, masks.options());
    for (int64_t i = 0; i < k; ++i) {
        const PastedMask p = pasteMask(masks[i], boxes[i], height, width);
        if (p.values.defined())
            out[i][0].narrow(0, p.y, p.values.size(0)).narrow(1, p.x, p.values.size(1)).copy_(p.values);
    }
    return out;
}

RCNNTransform::PastedMask RCNNTransform::pasteMask(const torch::Tensor& mask, const torch::Tensor& box,
                                                   int64_t height, int64_t width) const {
    const torch::Tensor b = box.to(torch::kCPU, torch::kFloat64).contiguous();
    const double* bx = b.data_ptr<double>();
    // NaN or infinite boxes (weights loaded with --allow-non-finite) would become undefined integer windows.
    if (!std::isfinite(bx[0]) || !std::isfinite(bx[1]) || !std::isfinite(bx[2]) || !std::isfinite(bx[3]))
        return {};
    if (config_.maskPaste == DetectorConfig::MaskPaste::GridSample) {
        // Sample the mask at every pixel centre around the float box, as mmdetection v2's _do_paste_mask does
        // on the CPU (fcn_mask_head.py: one box at a time, skip_empty): the pixels from floor(x0) - 1 to
        // ceil(x1) + 1 (clamped to the image), grid (x + 0.5 - x0) / (x1 - x0) * 2 - 1, bilinear grid_sample
        // with align_corners=False and zero padding. A zero-size box (possible with boxMinSize 0, e.g.
        // clipped at the border) divides by zero: mmdetection sets the infinite coordinates to 0 (the mask's
        // centre row / column); a 0 / 0 (a pixel centre exactly on a zero-size box) stays NaN there too.
        const double x0 = bx[0], y0 = bx[1], x1 = bx[2], y1 = bx[3];
        const int64_t px0 = std::max<int64_t>(0, int64_t(std::floor(x0)) - 1);
        const int64_t py0 = std::max<int64_t>(0, int64_t(std::floor(y0)) - 1);
        const int64_t px1 = std::min<int64_t>(width, int64_t(std::ceil(x1)) + 1);
        const int64_t py1 = std::min<int64_t>(height, int64_t(std::ceil(y1)) + 1);
        if (px1 <= px0 || py1 <= py0)
            return {};
        auto o = mask.options();
        torch::Tensor gx = (torch::arange(px0, px1, o) + 0.5 - x0) / (x1 - x0) * 2 - 1;
        torch::Tensor gy = (torch::arange(py0, py1, o) + 0.5 - y0) / (y1 - y0) * 2 - 1;
        gx.masked_fill_(gx.isinf(), 0);
        gy.masked_fill_(gy.isinf(), 0);
        torch::Tensor grid = torch::stack({gx.view({1, -1}).expand({py1 - py0, px1 - px0}),
                                           gy.view({-1, 1}).expand({py1 - py0, px1 - px0})},
                                          2)
                                 .unsqueeze(0);
        torch::Tensor sampled =
            F::grid_sample(mask.unsqueeze(0), grid, F::GridSampleFuncOptions().align_corners(false));
        return {sampled[0][0], px0, py0};
    }
    // torchvision: pad the M x M mask by one pixel, grow the box by (M + 2) / M about its centre, truncate it
    // to integers and resize the mask bilinearly into (x2 - x1 + 1) x (y2 - y1 + 1) pixels.
    const int64_t m = mask.size(-1);
    const double scale = double(m + 2) / double(m);
    const torch::Tensor padded = F::pad(mask.unsqueeze(0), F::PadFuncOptions({1, 1, 1, 1}))[0];
    const double wHalf = (bx[2] - bx[0]) * 0.5 * scale, hHalf = (bx[3] - bx[1]) * 0.5 * scale;
    const double xc = (bx[2] + bx[0]) * 0.5, yc = (bx[3] + bx[1]) * 0.5;
    const int64_t b0 = int64_t(xc - wHalf), b1 = int64_t(yc - hHalf), b2 = int64_t(xc + wHalf),
                  b3 = int64_t(yc + hHalf);
    const int64_t x0 = std::max<int64_t>(b0, 0), x1 = std::min<int64_t>(b2 + 1, width);
    const int64_t y0 = std::max<int64_t>(b1, 0), y1 = std::min<int64_t>(b3 + 1, height);
    if (x1 <= x0 || y1 <= y0)
        return {};
    const int64_t w = std::max<int64_t>(b2 - b0 + 1, 1), h = std::max<int64_t>(b3 - b1 + 1, 1);
    torch::Tensor resized = F::interpolate(padded.unsqueeze(0), F::InterpolateFuncOptions()
                                                                    .size(std::vector<int64_t>{h, w})
                                                                    .mode(torch::kBilinear)
                                                                    .align_corners(false))[0][0];
    return {resized.narrow(0, y0 - b1, y1 - y0).narrow(1, x0 - b0, x1 - x0), x0, y0};
}

} // namespace resnest

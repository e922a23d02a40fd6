#include "core/models/WinogradConv.h"

#include "core/models/VectorClones.h"

#include <ATen/Parallel.h>
#include <algorithm>
#include <cstring>

namespace resnest {
namespace {

constexpr int kLanes = 16; // channels per step: channel counts are multiples of it
constexpr int kTile = 4;   // output tile side
constexpr int kWindow = 6; // input window side: kTile + 3 - 1
// Floats of one pass's transformed input (36 x tiles x in): large enough for efficient GEMMs, small enough
// that the transformed input and the GEMMs' output stay in the last-level cache on most CPUs (32 MiB each).
constexpr int64_t kPassFloats = int64_t(1) << 24;

// F(4x4, 3x3) with the interpolation points 0, 1, -1, 2, -2 and infinity.
constexpr double kG[kWindow][3] = {{1.0 / 4, 0, 0},
                                   {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                   {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                   {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                   {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                   {0, 0, 1}};

// B^T d for one column of six values (the rows of B^T: 4 0 -5 0 1 0 / 0 -4 -4 1 1 0 / 0 4 -4 -1 1 0 /
// 0 -2 -1 2 1 0 / 0 2 -1 -2 1 0 / 0 4 0 -5 0 1).
#define RESNEST_INPUT_TRANSFORM(d0, d1, d2, d3, d4, d5, o0, o1, o2, o3, o4, o5)                              \
    o0 = 4 * (d0)-5 * (d2) + (d4);                                                                           \
    o1 = -4 * ((d1) + (d2)) + (d3) + (d4);                                                                   \
    o2 = 4 * ((d1) - (d2)) - (d3) + (d4);                                                                    \
    o3 = -2 * (d1) - (d2) + 2 * (d3) + (d4);                                                                 \
    o4 = 2 * (d1) - (d2)-2 * (d3) + (d4);                                                                    \
    o5 = 4 * (d1)-5 * (d3) + (d5)

// A^T m for six values (the rows of A^T: 1 1 1 1 1 0 / 0 1 -1 2 -2 0 / 0 1 1 4 4 0 / 0 1 -1 8 -8 1).
#define RESNEST_OUTPUT_TRANSFORM(m0, m1, m2, m3, m4, m5, o0, o1, o2, o3)                                     \
    o0 = (m0) + (m1) + (m2) + (m3) + (m4);                                                                   \
    o1 = (m1) - (m2) + 2 * ((m3) - (m4));                                                                    \
    o2 = (m1) + (m2) + 4 * ((m3) + (m4));                                                                    \
    o3 = (m1) - (m2) + 8 * ((m3) - (m4)) + (m5)

// A dilated convolution (dilation d, padding d) is d x d undilated ones, each on the pixels of one phase:
// rows py, py + d, ... and columns px, px + d, .... Tiles run over the phases, so a tile's 4x4 outputs and
// 6x6 window are pixels d apart and the map is never split into phase images.
struct Geometry {
    int64_t height, width, dilation, phasesDown, phasesAcross, tilesDown, tilesAcross;

    Geometry(int64_t h, int64_t w, int64_t d)
        : height(h), width(w), dilation(d), phasesDown(std::min(d, h)), phasesAcross(std::min(d, w)),
          tilesDown(tilesAlong((h + d - 1) / d)), tilesAcross(tilesAlong((w + d - 1) / d)) {}

    int64_t perImage() const { return phasesDown * phasesAcross * tilesDown * tilesAcross; }

    // The image of a tile and its first output pixel.
    void locate(int64_t tile, int64_t& n, int64_t& y0, int64_t& x0) const {
        const int64_t perPhase = tilesDown * tilesAcross, r = tile % perImage(), phase = r / perPhase,
                      q = r % perPhase;
        n = tile / perImage();
        y0 = phase / phasesAcross + dilation * kTile * (q / tilesAcross);
        x0 = phase % phasesAcross + dilation * kTile * (q % tilesAcross);
    }

private:
    // Output tiles along a side of `size` pixels, the last one hanging over the edge.
    static int64_t tilesAlong(int64_t size) { return (size + kTile - 1) / kTile; }
};

// Window taps of a dilated 3x3 convolution that fall inside a side of `size` pixels, over all outputs: what
// a direct convolution computes (oneDNN skips the taps that read padding).
int64_t tapsAlong(int64_t size, int64_t dilation) {
    return size + 2 * std::max<int64_t>(size - dilation, 0);
}

// Transformed input of tiles [begin, end) of a pass of `count` tiles that starts at tile `first`:
// v[(36 positions) x groups x (pass tiles) x (channels per group)]. x is (N, H, W, C) contiguous; outside the
// map the window reads zeros.
RESNEST_VECTOR_CLONES
void inputTiles(const float* __restrict x, int64_t channels, int64_t groupChannels, Geometry g, int64_t first,
                int64_t count, int64_t begin, int64_t end, float* __restrict v) {
    const int64_t positionStride = count * channels;
    alignas(64) const float zeros[kLanes] = {};
    const int64_t d = g.dilation;
    for (int64_t t = begin; t < end; ++t) {
        int64_t n, y0, x0;
        g.locate(first + t, n, y0, x0);
        const float* image = x + n * g.height * g.width * channels;
        for (int64_t c0 = 0; c0 < channels; c0 += kLanes) {
            const float* p[kWindow][kWindow];
            for (int i = 0; i < kWindow; ++i) {
                for (int j = 0; j < kWindow; ++j) {
                    const int64_t yy = y0 + d * (i - 1), xx = x0 + d * (j - 1);
                    const bool inside = yy >= 0 && yy < g.height && xx >= 0 && xx < g.width;
                    p[i][j] = inside ? image + (yy * g.width + xx) * channels + c0 : zeros;
                }
            }
            alignas(64) float columns[kWindow][kWindow][kLanes];
            for (int j = 0; j < kWindow; ++j) {
                for (int c = 0; c < kLanes; ++c) {
                    RESNEST_INPUT_TRANSFORM(p[0][j][c], p[1][j][c], p[2][j][c], p[3][j][c], p[4][j][c],
                                            p[5][j][c], columns[0][j][c], columns[1][j][c], columns[2][j][c],
                                            columns[3][j][c], columns[4][j][c], columns[5][j][c]);
                }
            }
            alignas(64) float out[kWindow][kWindow][kLanes];
            for (int i = 0; i < kWindow; ++i) {
                const auto& r = columns[i];
                for (int c = 0; c < kLanes; ++c) {
                    RESNEST_INPUT_TRANSFORM(r[0][c], r[1][c], r[2][c], r[3][c], r[4][c], r[5][c],
                                            out[i][0][c], out[i][1][c], out[i][2][c], out[i][3][c],
                                            out[i][4][c], out[i][5][c]);
                }
            }
            // Staged through `out`: stores at a run-time stride would keep the compiler from vectorising.
            float* dst =
                v + (c0 / groupChannels) * count * groupChannels + t * groupChannels + c0 % groupChannels;
            for (int k = 0; k < kWindow * kWindow; ++k)
                std::memcpy(dst + k * positionStride, out[k / kWindow][k % kWindow], sizeof(float) * kLanes);
        }
    }
}

// Output tiles [begin, end) of a pass of `count` tiles from the GEMMs' results: m[position * groups + group]
// is a (pass tiles) x (outputs per group) matrix. Adds the bias and the optional ReLU; writes y (N, H, W,
// out) contiguous.
RESNEST_VECTOR_CLONES
void outputTiles(const float* const* m, const float* __restrict bias, int64_t outChannels,
                 int64_t groupChannels, Geometry g, int64_t first, int64_t begin, int64_t end, bool relu,
                 float* __restrict y) {
    const int64_t groups = outChannels / groupChannels;
    const int64_t d = g.dilation;
    for (int64_t t = begin; t < end; ++t) {
        int64_t n, y0, x0;
        g.locate(first + t, n, y0, x0);
        float* image = y + n * g.height * g.width * outChannels;
        for (int64_t k0 = 0; k0 < outChannels; k0 += kLanes) {
            const int64_t group = k0 / groupChannels, offset = t * groupChannels + k0 % groupChannels;
            alignas(64) float rows[kTile][kWindow][kLanes];
            for (int j = 0; j < kWindow; ++j) {
                const float* s[kWindow];
                for (int i = 0; i < kWindow; ++i)
                    s[i] = m[(i * kWindow + j) * groups + group] + offset;
                for (int c = 0; c < kLanes; ++c) {
                    RESNEST_OUTPUT_TRANSFORM(s[0][c], s[1][c], s[2][c], s[3][c], s[4][c], s[5][c],
                                             rows[0][j][c], rows[1][j][c], rows[2][j][c], rows[3][j][c]);
                }
            }
            for (int i = 0; i < kTile && y0 + d * i < g.height; ++i) {
                const auto& r = rows[i];
                alignas(64) float out[kTile][kLanes];
                for (int c = 0; c < kLanes; ++c) {
                    RESNEST_OUTPUT_TRANSFORM(r[0][c], r[1][c], r[2][c], r[3][c], r[4][c], r[5][c], out[0][c],
                                             out[1][c], out[2][c], out[3][c]);
                    for (int j = 0; j < kTile; ++j) {
                        out[j][c] += bias[k0 + c];
                        if (relu)
                            out[j][c] = std::max(out[j][c], 0.0f);
                    }
                }
                for (int j = 0; j < kTile && x0 + d * j < g.width; ++j) {
                    float* dst = image + ((y0 + d * i) * g.width + x0 + d * j) * outChannels + k0;
                    std::memcpy(dst, out[j], sizeof(float) * kLanes);
                }
            }
        }
    }
}

} // namespace

WinogradConv::WinogradConv(const torch::Tensor& weight, const torch::Tensor& bias, int64_t groups,
                           int64_t dilation, int shapes)
    : groups_(groups), dilation_(dilation), shapes_(std::max(shapes, 1)) {
    TORCH_CHECK(weight.dim() == 4 && weight.size(2) == 3 && weight.size(3) == 3 && groups >= 1 &&
                    weight.size(0) % groups == 0 && dilation >= 1,
                "WinogradConv needs (out, in / groups, 3, 3) filters and a dilation of at least 1");
    const int64_t out = weight.size(0), groupIn = weight.size(1), groupOut = out / groups;
    // The transforms step through channels kLanes at a time, with no remainder loop.
    TORCH_CHECK(groupIn % kLanes == 0 && groupOut % kLanes == 0,
                "WinogradConv needs channel counts per group that are multiples of ", kLanes);
    groupIn_ = groupIn;
    groupOut_ = groupOut;
    weight_ = weight.detach();
    filters_ = std::make_shared<Filters>();
    bias_ = bias.defined() ? bias.detach().to(torch::kCPU, torch::kFloat32).contiguous()
                           : torch::zeros({weight.size(0)}, torch::kFloat32);
}

const WinogradConv::Filters& WinogradConv::filters() const {
    std::call_once(filters_->once, [this] {
        torch::NoGradGuard noGrad;
        Filters& f = *filters_;
        const auto g = torch::from_blob(const_cast<double*>(&kG[0][0]), {kWindow, 3}, torch::kFloat64);
        // U = G g G^T, laid out so that position p's (in, out) matrix of group q is one GEMM operand.
        const auto w = weight_.to(torch::kCPU, torch::kFloat64).view({groups_, groupOut_, groupIn_, 3, 3});
        const auto u = torch::einsum("ia,qkcab,jb->ijqck", {g, w, g})
                           .reshape({kWindow * kWindow * groups_, groupIn_, groupOut_})
                           .to(torch::kFloat32);
        if (PrepackedConv::supports(torch::kFloat32)) {
            // A call runs passes of at most two tile counts: each input shape may keep two packings.
            for (int64_t i = 0; i < u.size(0); ++i)
                f.gemms.push_back(PrepackedConv::pointwise(u[i].t(), torch::Tensor(), false, 2 * shapes_));
        } else {
            f.batched = u.contiguous();
        }
        f.ready = true;
    });
    return *filters_;
}

bool WinogradConv::prepared() const {
    return filters_ && filters_->ready;
}

bool WinogradConv::suits(const torch::Tensor& weight, const std::vector<int64_t>& stride,
                         const std::vector<int64_t>& padding, const std::vector<int64_t>& dilation,
                         int64_t groups) {
    const auto ones = std::vector<int64_t>{1, 1};
    if (!weight.defined() || !weight.device().is_cpu() || weight.scalar_type() != torch::kFloat32 ||
        weight.dim() != 4 || weight.size(2) != 3 || weight.size(3) != 3 || stride != ones ||
        dilation.size() != 2 || dilation[0] < 1 || dilation[1] != dilation[0] || padding != dilation ||
        groups < 1 || weight.size(0) % groups != 0)
        return false;
    const int64_t groupIn = weight.size(1), groupOut = weight.size(0) / groups;
    return groupIn % kLanes == 0 && groupOut % kLanes == 0 && groupIn >= kMinGroupChannels &&
           groupOut >= kMinGroupChannels;
}

bool WinogradConv::fits(const torch::Tensor& x) const {
    return defined() && x.device().is_cpu() && x.scalar_type() == torch::kFloat32 && x.dim() == 4 &&
           x.size(1) == groupIn_ * groups_ && !x.is_mkldnn();
}

int64_t WinogradConv::tiles(int64_t batch, int64_t height, int64_t width, int64_t dilation) {
    return batch * Geometry(height, width, dilation).perImage();
}

bool WinogradConv::takes(const torch::Tensor& x) const {
    if (!fits(x) || (torch::GradMode::is_enabled() && x.requires_grad()))
        return false;
    const int64_t n = x.size(0), h = x.size(2), w = x.size(3), count = tiles(n, h, w, dilation_);
    // Tiles x 36 products against the window taps a direct convolution computes: dilated maps whose phases
    // are a few pixels across fill their tiles with padding.
    const double share = double(count * kWindow * kWindow) /
                         double(std::max<int64_t>(n * tapsAlong(h, dilation_) * tapsAlong(w, dilation_), 1));
    return count * groupIn_ * groupOut_ >= kMinGemmWork && share <= kMaxProductShare;
}

torch::Tensor WinogradConv::operator()(const torch::Tensor& input, bool relu) const {
    TORCH_CHECK(fits(input), "WinogradConv: needs a float32 CPU (N, ", groupIn_ * groups_,
                ", H, W) tensor, got ", input.sizes(), " ", input.scalar_type());
    torch::NoGradGuard noGrad;
    const torch::Tensor x = input.contiguous(torch::MemoryFormat::ChannelsLast);
    const int64_t batch = x.size(0), in = x.size(1), groupIn = groupIn_, groupOut = groupOut_,
                  out = groupOut * groups_;
    const Geometry g(x.size(2), x.size(3), dilation_);
    const int64_t tiles = batch * g.perImage();
    auto y = torch::empty({batch, out, g.height, g.width},
                          x.options().memory_format(torch::MemoryFormat::ChannelsLast));

    if (tiles == 0)
        return y;
    const Filters& f = filters();
    const int64_t positions = kWindow * kWindow;
    const int64_t maxPass = std::max<int64_t>(64, kPassFloats / (positions * std::max(in, out)));
    const int64_t passes = (tiles + maxPass - 1) / maxPass;
    const int64_t perPass = (tiles + passes - 1) / passes;
    const float* xp = x.data_ptr<float>();
    const float* bias = bias_.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    for (int64_t first = 0; first < tiles; first += perPass) {
        const int64_t count = std::min(perPass, tiles - first);
        auto v = torch::empty({positions * groups_, count, groupIn},
                              x.options().memory_format(torch::MemoryFormat::Contiguous));
        float* vp = v.data_ptr<float>();
        at::parallel_for(0, count, 8, [&](int64_t begin, int64_t end) {
            inputTiles(xp, in, groupIn, g, first, count, begin, end, vp);
        });
        // One GEMM per position and group: (pass tiles x in) by (in x out).
        std::vector<torch::Tensor> products;
        std::vector<const float*> mp(positions * groups_);
        if (f.gemms.empty()) {
            products.push_back(torch::bmm(v, f.batched));
            for (int64_t i = 0; i < positions * groups_; ++i)
                mp[i] = products[0].data_ptr<float>() + i * count * groupOut;
        } else {
            for (int64_t i = 0; i < positions * groups_; ++i) {
                products.push_back(f.gemms[i].rows(v[i]));
                mp[i] = products.back().data_ptr<float>();
            }
        }
        at::parallel_for(0, count, 8, [&](int64_t begin, int64_t end) {
            outputTiles(mp.data(), bias, out, groupOut, g, first, begin, end, relu, yp);
        });
    }
    return y;
}

} // namespace resnest

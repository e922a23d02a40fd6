#pragma once

#include "core/api/PredictOptions.h"

#include <QSpinBox>

namespace resnest {

// The segmentation input's shorter side: "model's" (-1, the size the model's card names, else the image's
// own), "image size" (0), or a size in pixels. The two named settings are one step each below the sizes,
// which step by 32 px.
class ShortSideSpinBox : public QSpinBox {
    Q_OBJECT
public:
    static constexpr int kModel = PredictOptions::kModelShortSide;
    static constexpr int kImage = 0;

    explicit ShortSideSpinBox(QWidget* parent = nullptr);

    // What "model's" resolves to for the loaded model, shown beside it: a shorter side and a limit on the
    // longer one (SegmenterConfig; 0: none; neither: the image's own size).
    void setModelSide(int shortSide, int longSide = 0);
    int modelSide() const { return modelSide_; }
    int modelLongSide() const { return modelLongSide_; }

    void stepBy(int steps) override;

protected:
    QString textFromValue(int value) const override;
    int valueFromText(const QString& text) const override;
    QValidator::State validate(QString& text, int& pos) const override;
    StepEnabled stepEnabled() const override;

private:
    QString modelText() const;

    int modelSide_ = 0;
    int modelLongSide_ = 0;
};

} // namespace resnest

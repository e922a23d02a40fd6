#pragma once

#include "core/api/DatasetLabels.h"
#include "ui/runtime/RenderedFrame.h"

#include <QColor>
#include <QHash>
#include <QIcon>
#include <QWidget>

class QLabel;
class QTreeWidget;

namespace resnest {

// What the model said about the shown frame: the top classes, the classes of the mask with their share of
// the image, or the drawn detections (threshold and class filter applied, as in the view).
class ResultsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ResultsPanel(QWidget* parent = nullptr);

    void show(const RenderedFrame& frame);
    void clear();
    int rowCount() const;
    QString rowText(int row, int column) const;
    QIcon rowIcon(int row) const;

private:
    QIcon swatch(const DatasetLabels& labels, int index);

    QLabel* title_;
    QTreeWidget* table_;
    QHash<QRgb, QIcon> swatches_;
};

} // namespace resnest

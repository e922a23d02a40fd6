#pragma once

#include "ui/runtime/RenderedFrame.h"

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

private:
    QLabel* title_;
    QTreeWidget* table_;
};

} // namespace resnest

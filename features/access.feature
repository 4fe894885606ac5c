@req:ACL
Feature: Access to orders
  An order belongs to the customer who placed it: customers see only their own orders.
  Shop administrators see every order so they can handle support requests.

  Background:
    Given a verified customer "alice" with a placed order "1001"
    And a verified customer "bob" with a placed order "1002"
    And an admin "carol"

  @ACL-OR-001
  Scenario Outline: Only the owner or an admin may open an order
    Given "<user>" is signed in
    When I send a GET request to "/api/orders/1002"
    Then the response status should be <status>

    @req:ACL-1
    Examples: Customers
      | user  | status |
      | alice | 403    |
      | bob   | 200    |

    @req:ACL-2
    Examples: Administrators
      | user  | status |
      | carol | 200    |

  @ACL-OR-002 @req:ACL-1
  Scenario: Order history lists only the customer's own orders
    Given "alice" is signed in
    When the customer opens the order history
    Then order "1001" is listed
    And order "1002" is not listed

  @ACL-OR-003 @req:ACL-2
  Scenario: Admin sees every customer's orders in the order overview
    Given "carol" is signed in
    When the admin opens the order overview
    Then order "1001" is listed
    And order "1002" is listed

  @ACL-OR-004 @req:ACL-2
  Scenario: Customer is refused the admin order overview
    Given "alice" is signed in
    When I send a GET request to "/api/admin/orders"
    Then the response status should be 403
